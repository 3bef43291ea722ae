// A stand-in for an original v0.4.1 dev-mode server, as our CLI meets it: TLS with a localhost certificate that has
// expired (the original's built-in one expired on 2023-12-08), plain HTTP/2 gRPC as Go serves it, ToggleEventIngress
// answering the new *ignore* flag, and a count of TLS handshakes that failed, which Go's net/http logs as
// "http: TLS handshake error from …".
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { generateCertificate } from "@gofer/kernel";
import {
  GetSystemInfoResponse,
  ListNamespacesResponse,
  type MessageFns,
  ToggleEventIngressResponse,
} from "@gofer/proto";

export interface FakeOriginalServer {
  readonly port: number;
  readonly certPem: string;
  /** Handshakes the server saw fail, with Node's reason for each. */
  readonly handshakeErrors: string[];
  /** Handshakes that completed. */
  secureConnections: number;
  /** The server's ignore_pipeline_run_events flag. */
  ignoringEvents: boolean;
  close(): Promise<void>;
}

/** Answers these methods; any other is UNIMPLEMENTED. */
type Handler = (server: FakeOriginalServer) => Uint8Array;

function answer<T>(fns: MessageFns<T>, message: T): Uint8Array {
  return fns.encode(message).finish();
}

const HANDLERS: Record<string, Handler> = {
  "/proto.Gofer/GetSystemInfo": () =>
    answer(GetSystemInfoResponse, { commit: "2ededa42", devModeEnabled: true, semver: "0.4.1", queuedRuns: 0n }),
  "/proto.Gofer/ListNamespaces": () =>
    answer(ListNamespacesResponse, {
      namespaces: [{ id: "default", name: "Default", description: "", created: 1n, modified: 1n }],
    }),
  "/proto.Gofer/ToggleEventIngress": (server) => {
    server.ignoringEvents = !server.ignoringEvents;
    return answer(ToggleEventIngressResponse, { value: server.ignoringEvents });
  },
};

function frame(message: Uint8Array): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(message.length, 1);
  return Buffer.concat([head, message]);
}

export async function startFakeOriginalServer(options: { expired: boolean }): Promise<FakeOriginalServer> {
  // The original's dev certificate: localhost only, expired on 2023-12-08 (or valid, for comparison).
  const { certPem, keyPem } = await generateCertificate({
    hosts: ["localhost"],
    ...(options.expired ? { now: new Date("2022-12-08T00:00:00Z"), validDays: 365 } : {}),
  });
  const server = http2.createSecureServer({ cert: certPem, key: keyPem, allowHTTP1: true });
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
  });
  const fake: FakeOriginalServer = {
    port: 0,
    certPem,
    handshakeErrors: [],
    secureConnections: 0,
    ignoringEvents: false,
    close: () =>
      new Promise((resolve) => {
        for (const session of sessions) session.destroy();
        server.close(() => resolve());
      }),
  };
  server.on("tlsClientError", (error: Error) => fake.handshakeErrors.push(error.message));
  server.on("secureConnection", () => {
    fake.secureConnections += 1;
  });
  server.on("stream", (stream, headers) => {
    const path = String(headers[":path"]);
    stream.on("data", () => {});
    stream.on("end", () => {
      const handler = HANDLERS[path];
      stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
      stream.once("wantTrailers", () =>
        stream.sendTrailers(
          handler ? { "grpc-status": "0" } : { "grpc-status": "12", "grpc-message": `unknown method ${path}` },
        ),
      );
      stream.end(handler ? frame(handler(fake)) : undefined);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return Object.assign(fake, { port: (server.address() as AddressInfo).port });
}
