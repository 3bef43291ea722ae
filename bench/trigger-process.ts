// Starts a trigger program the way Gofer does (fresh key, generated certificate, loopback port, the
// GOFER_PLUGIN_SYSTEM_* environment, `<command> server`) for benchmarks, and drives it with the plain grpc-js client.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { generateCertificate } from "@gofer/kernel";
import { generateTriggerKey } from "@gofer/trigger-sdk";
import { PlainTriggerClient } from "./plain-trigger-client.js";

export interface BenchTrigger {
  child: ChildProcess;
  client: PlainTriggerClient;
  /** Where and how to reach it with another client. */
  address: string;
  key: string;
  certPem: string;
  /** Resident set size of the trigger process, in bytes. */
  rssBytes(): number;
  /** CPU time (user + system) the trigger process has used, in ms. */
  cpuMs(): number;
  stop(): Promise<void>;
}

export interface BenchTriggerOptions {
  /** Pins the trigger to this CPU (taskset), so that it and the client do not share a core. */
  cpu?: number;
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

/** Splits a --compare command line on spaces (quote nothing: pass a wrapper script for anything fancier). */
export function commandWords(command: string): string[] {
  return command.trim().split(/\s+/);
}

export async function startBenchTrigger(
  command: string[],
  env: NodeJS.ProcessEnv = {},
  options: BenchTriggerOptions = {},
): Promise<BenchTrigger> {
  const key = generateTriggerKey();
  const tls = await generateCertificate();
  const port = await freePort();
  const argv = [...(options.cpu === undefined ? [] : ["taskset", "-c", String(options.cpu)]), ...command, "server"];
  const [file, ...args] = argv as [string, ...string[]];
  const child = spawn(file, args, {
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
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const client = new PlainTriggerClient(`127.0.0.1:${port}`, key, tls.certPem);
  for (let attempt = 1; ; attempt++) {
    try {
      await client.info();
      break;
    } catch (error) {
      if (attempt >= 100 || child.exitCode !== null) {
        child.kill("SIGKILL");
        throw new Error(`${command.join(" ")} did not answer Info: ${(error as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    child,
    client,
    address: `127.0.0.1:${port}`,
    key,
    certPem: tls.certPem,
    rssBytes() {
      const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
      return kb * 1024;
    },
    cpuMs() {
      // /proc/<pid>/stat fields 14 and 15 (utime, stime), in clock ticks (100 per second on Linux); the command name
      // (field 2, in parentheses) may hold spaces, so count from after it.
      const stat = readFileSync(`/proc/${child.pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return (Number(fields[11]) + Number(fields[12])) * 10;
    },
    async stop() {
      await client.shutdown().catch(() => child.kill("SIGKILL"));
      client.close();
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
