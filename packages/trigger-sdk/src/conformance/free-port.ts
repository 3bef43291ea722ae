import { createServer } from "node:net";

/**
 * Asks the OS for a free TCP port on 127.0.0.1. The port is released before the trigger binds it, so another process
 * could take it in between; the readiness case then fails with the trigger's own bind error in its output.
 */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() =>
        port > 0 ? resolve(port) : reject(new Error(`could not read the bound port from ${address}`)),
      );
    });
  });
}
