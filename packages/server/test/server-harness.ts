// Starts a whole server the way a user would get one: a temp sqlite file, the process engine, TLS on 127.0.0.1:0,
// our real trigger executables, and the generated gRPC client that trusts exactly the server's certificate.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { GoferClient, type PromiseClient, promiseClient } from "@gofer/proto";
import * as grpc from "@grpc/grpc-js";
import type { Logger } from "winston";
import { createServer, createServerLogger, loadConfig, type RunningServer } from "../src/index.js";

export const INTERVAL_TRIGGER = fileURLToPath(new URL("../../triggers-interval/trigger", import.meta.url));
export const CRON_TRIGGER = fileURLToPath(new URL("../../triggers-cron/trigger", import.meta.url));
export const STANDALONE_SERVER = fileURLToPath(new URL("./fixtures/standalone-server.ts", import.meta.url));
/** A trigger written without our SDK, following only the v0.4 contract. */
export const LEGACY_TRIGGER = fileURLToPath(
  new URL("../../trigger-sdk/test/fixtures/legacy-interval-trigger.ts", import.meta.url),
);

export interface TestServer {
  readonly server: RunningServer;
  readonly client: GoferClient;
  readonly dir: string;
  /** The client's unary methods, returning promises. */
  readonly api: PromiseClient<GoferClient>;
  /** Stops the server and closes the client (the data directory stays for a restart). */
  stop(): Promise<void>;
  /** Stops, then removes the data directory. */
  destroy(): Promise<void>;
}

export interface TestServerOptions {
  /** Reuse a data directory (restart tests). */
  dir?: string;
  /** Extra config keys (dotted, as in the file). */
  set?: Record<string, string | number | boolean>;
  token?: string;
  logLevel?: "debug" | "info" | "warn" | "error";
  /** Replaces the server's logger (to read what triggers log). */
  logger?: Logger;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "gofer-test-"));
  const config = loadConfig({
    env: {},
    flags: {
      "server.host": "127.0.0.1:0",
      "external_events_api.host": "127.0.0.1:0",
      "server.storage_path": join(dir, "gofer.db"),
      "secret_store.sqlite.path": join(dir, "gofer-secret.db"),
      "object_store.sqlite.path": join(dir, "gofer-object.db"),
      "server.shutdown_timeout": "5s",
      "scheduler.engine": "process",
      "development.bypass_auth": true,
      "development.use_localhost_tls": true,
      "development.default_encryption": true,
      "triggers.install_base_triggers": false,
      "triggers.stop_timeout": "5s",
      "triggers.image_map": JSON.stringify({
        "test/legacy-interval:latest": [process.execPath, "--import", "tsx", LEGACY_TRIGGER],
      }),
      task_execution_logs_dir: join(dir, "logs"),
      log_level: options.logLevel ?? "error",
      ...options.set,
    },
  });
  const logger = options.logger ?? createServerLogger({ level: options.logLevel ?? "error", pretty: true });
  const server = await createServer(config, { logger });
  const credentials = server.apiCertPem
    ? grpc.credentials.createSsl(Buffer.from(server.apiCertPem), null, null, { checkServerIdentity: () => undefined })
    : grpc.credentials.createInsecure();
  const client = new GoferClient(server.address, credentials, { "grpc.ssl_target_name_override": "localhost" });
  const metadata = new grpc.Metadata();
  if (options.token) metadata.set("authorization", `Bearer ${options.token}`);

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      client.close();
      await server.stop("test finished");
    })();
    return stopped;
  };
  return {
    server,
    client,
    dir,
    api: promiseClient(client, { metadata }),
    stop,
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A pipeline config (proto field names) with one quick task and an interval trigger. */
export function intervalPipeline(id: string, every = "1s", label = "every") {
  return {
    id,
    name: id,
    description: "",
    parallelism: 0n,
    tasks: [
      {
        task: {
          $case: "customTask" as const,
          value: {
            id: "hello",
            description: "",
            image: "gofer-task-test:latest",
            registryAuth: undefined,
            dependsOn: {},
            variables: {},
            entrypoint: [],
            command: ["sh", "-c", "echo hello"],
          },
        },
      },
    ],
    triggers: [{ name: "interval", label, settings: { EVERY: every } }],
  };
}

/** The pid of the process listening on a TCP port on this machine (read from /proc, no tools needed). */
export function pidListeningOn(port: number): number | undefined {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  const inodes = new Set<string>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local_address is HEX_IP:HEX_PORT; state 0A is LISTEN; field 9 is the socket inode.
      if (fields[1]?.endsWith(`:${hexPort}`) && fields[3] === "0A" && fields[9]) inodes.add(fields[9]);
    }
  }
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
        if (inode && inodes.has(inode)) return Number(pid);
      } catch {
        // the fd closed meanwhile
      }
    }
  }
  return undefined;
}

/** A server in a child process (fixtures/standalone-server.ts), for tests that kill it. */
export interface ChildServer {
  readonly pid: number;
  readonly instanceId: string;
  readonly api: PromiseClient<GoferClient>;
  readonly client: GoferClient;
  /** Exit code, or the signal's name when a signal ended it. */
  readonly exited: Promise<number | string | null>;
  /** What it printed on stderr so far. */
  stderr(): string;
  /** Closes the client; kills the process with the signal unless it has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function startChildServer(
  dir: string,
  engine = "process",
  set: Record<string, unknown> = {},
  env: NodeJS.ProcessEnv = process.env,
) {
  const child = spawn(process.execPath, ["--import", "tsx", STANDALONE_SERVER, dir, engine, JSON.stringify(set)], {
    stdio: ["ignore", "pipe", "pipe"],
    env,
  });
  const exited = new Promise<number | string | null>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? signal)),
  );
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const line = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.once("line", resolve);
    void exited.then((code) => reject(new Error(`server exited with ${code} before it listened: ${stderr}`)));
  });
  const { address, certPem, pid, instanceId } = JSON.parse(line) as {
    address: string;
    certPem: string;
    pid: number;
    instanceId: string;
  };
  const client = new GoferClient(
    address,
    grpc.credentials.createSsl(Buffer.from(certPem), null, null, { checkServerIdentity: () => undefined }),
    { "grpc.ssl_target_name_override": "localhost" },
  );
  const server: ChildServer = {
    pid,
    instanceId,
    client,
    api: promiseClient(client),
    exited,
    stderr: () => stderr,
    async kill(signal: NodeJS.Signals = "SIGKILL") {
      client.close();
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
  return server;
}
