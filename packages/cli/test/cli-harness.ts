// A whole server as `gofer service start --dev` would run it (temp sqlite, process engine, localhost TLS with its
// certificate under <dir>/.gofer-dev/), and the real `bin/gofer` spawned against it the way a user types it: cwd
// `dir` (so the dev certificate is found), HOME a fresh temp dir (no user config), no GOFER_* from the test's env.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createServer, createServerLogger, loadConfig, type RunningServer } from "@gofer/server";

export const GOFER_BIN = fileURLToPath(new URL("../bin/gofer", import.meta.url));
export const EXAMPLES_DIR = fileURLToPath(new URL("../../../examples", import.meta.url));
/** The golden vectors from the original Go code, kept in the repository (testdata/vectors/README.md). */
export const VECTORS_DIR = fileURLToPath(new URL("../../../testdata/vectors", import.meta.url));

export interface CliTestServer {
  readonly server: RunningServer;
  /** 127.0.0.1:<port> */
  readonly host: string;
  /** Working directory for the CLI: holds .gofer-dev/localhost-api.crt. */
  readonly dir: string;
  /** A HOME with no config file. */
  readonly home: string;
  /** Runs `gofer --host <host> …args` in dir. */
  gofer(args: readonly string[], options?: GoferOptions): Promise<CliResult>;
  destroy(): Promise<void>;
}

export interface CliTestServerOptions {
  /** Extra config keys (dotted, as in the file). */
  set?: Record<string, string | number | boolean>;
}

export async function startCliTestServer(options: CliTestServerOptions = {}): Promise<CliTestServer> {
  const dir = mkdtempSync(join(tmpdir(), "gofer-cli-test-"));
  const home = join(dir, "home");
  mkdirSync(home);
  const config = loadConfig({
    env: {},
    flags: {
      "server.host": "127.0.0.1:0",
      "external_events_api.host": "127.0.0.1:0",
      "server.storage_path": join(dir, ".gofer-dev", "gofer.db"),
      "secret_store.sqlite.path": join(dir, ".gofer-dev", "gofer-secret.db"),
      "object_store.sqlite.path": join(dir, ".gofer-dev", "gofer-object.db"),
      "server.shutdown_timeout": "5s",
      "scheduler.engine": "process",
      "development.bypass_auth": true,
      "development.use_localhost_tls": true,
      "development.default_encryption": true,
      "triggers.install_base_triggers": false,
      "triggers.stop_timeout": "5s",
      task_execution_logs_dir: join(dir, "logs"),
      log_level: "error",
      ...options.set,
    },
  });
  const server = await createServer(config, { logger: createServerLogger({ level: "error", pretty: true }) });
  const host = `127.0.0.1:${server.port}`;
  return {
    server,
    host,
    dir,
    home,
    gofer: (args, goferOptions = {}) =>
      runGofer(["--host", host, ...args], { cwd: dir, ...goferOptions, env: { HOME: home, ...goferOptions.env } }),
    async destroy() {
      await server.stop("test finished");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface GoferOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Written to stdin, which is then closed (stdin is never a terminal). */
  input?: string;
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Spawns bin/gofer with a clean environment: PATH and what options.env adds. */
export function runGofer(args: readonly string[], options: GoferOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(GOFER_BIN, args, {
      cwd: options.cwd ?? tmpdir(),
      env: { PATH: process.env.PATH ?? "", HOME: tmpdir(), ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}

/** Parses stdout of a `--format json` command, failing with the command's stderr when it is not JSON. */
export function parseJson<T = unknown>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${result.code}):\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  }
}
