// Starts a trigger executable the way Gofer does (fresh key, generated certificate, loopback port) for benchmarks.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { generateCertificate, TriggerClient } from "@gofer/kernel";
import { generateTriggerKey } from "@gofer/trigger-sdk";

export interface BenchTrigger {
  child: ChildProcess;
  client: TriggerClient;
  /** Resident set size of the trigger process, in bytes. */
  rssBytes(): number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

export async function startBenchTrigger(command: string[], env: NodeJS.ProcessEnv = {}): Promise<BenchTrigger> {
  const key = generateTriggerKey();
  const tls = await generateCertificate();
  const port = await freePort();
  const [file, ...args] = command as [string, ...string[]];
  const child = spawn(file, [...args, "server"], {
    env: {
      ...process.env,
      ...env,
      GOFER_PLUGIN_SYSTEM_KEY: key,
      GOFER_PLUGIN_SYSTEM_NAME: "bench",
      GOFER_PLUGIN_SYSTEM_LOG_LEVEL: "error",
      GOFER_PLUGIN_SYSTEM_TLS_CERT: tls.certPem,
      GOFER_PLUGIN_SYSTEM_TLS_KEY: tls.keyPem,
      GOFER_PLUGIN_SYSTEM_HOST: `127.0.0.1:${port}`,
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const client = new TriggerClient({ address: `127.0.0.1:${port}`, key, certPem: tls.certPem, callTimeoutMs: 60_000 });
  for (let attempt = 1; ; attempt++) {
    try {
      await client.info();
      break;
    } catch (error) {
      if (attempt >= 100) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    child,
    client,
    rssBytes() {
      const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
      return kb * 1024;
    },
    async stop() {
      const exited = new Promise((r) => child.once("exit", r));
      await client.shutdown().catch(() => child.kill("SIGKILL"));
      client.close();
      await exited;
    },
  };
}
