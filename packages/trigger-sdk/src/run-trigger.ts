// The entry point of a trigger binary, the v0.4 container contract (spec §3.1-3.3):
//   ./trigger installer  prints the install instructions as one line of JSON on stdout and exits 0 (needs no env)
//   ./trigger server     reads GOFER_PLUGIN_SYSTEM_* and serves proto.TriggerService until Shutdown/SIGTERM/SIGINT
// Anything else prints the usage and exits 1.
// A server trigger whose parent process goes away (the Gofer server killed with -9 on the process engine) stops as
// if it had been sent SIGTERM: it notices that its parent pid changed (checked every second). In a container the
// trigger is PID 1 (parent 0) and the check is off: the container's end ends it.
import { formatInstructions, type Instructions } from "./instructions.js";
import { createJsonLineLogger } from "./logger.js";
import type { TriggerFactory } from "./trigger.js";
import { startTriggerServer } from "./trigger-server.js";

export const SYSTEM_PREFIX = "GOFER_PLUGIN_SYSTEM_";
const USAGE = "Usage: ./trigger <server|installer>";

export class TriggerEnvError extends Error {
  override name = "TriggerEnvError";
}

export interface TriggerEnv {
  key: string;
  name: string;
  logLevel: string;
  host: string;
  tls: { certPem: string; keyPem: string } | null;
}

/**
 * Reads the server-mode environment. GOFER_PLUGIN_SYSTEM_INSECURE_PLAINTEXT=true (our opt-in, for tests only) serves
 * without TLS; otherwise TLS_CERT and TLS_KEY are required, as in the original.
 */
export function readTriggerEnv(env: NodeJS.ProcessEnv): TriggerEnv {
  const get = (name: string) => env[SYSTEM_PREFIX + name] ?? "";
  const missing = (name: string, what: string) =>
    new TriggerEnvError(`${SYSTEM_PREFIX}${name} is required: ${what} (Gofer sets it when it starts the trigger)`);
  const key = get("KEY");
  if (key === "") throw missing("KEY", "the bearer token every call must carry");
  const name = get("NAME");
  if (name === "") throw missing("NAME", "the name the trigger is installed under");

  const plaintext = get("INSECURE_PLAINTEXT").toLowerCase() === "true";
  let tls: TriggerEnv["tls"] = null;
  if (!plaintext) {
    const certPem = get("TLS_CERT");
    const keyPem = get("TLS_KEY");
    if (certPem === "") throw missing("TLS_CERT", "the PEM text of the certificate to serve");
    if (keyPem === "") throw missing("TLS_KEY", "the PEM text of the certificate's private key");
    if (!certPem.includes("-----BEGIN")) {
      throw new TriggerEnvError(
        `${SYSTEM_PREFIX}TLS_CERT must hold PEM text (a "-----BEGIN CERTIFICATE-----" block), not a path`,
      );
    }
    if (!keyPem.includes("-----BEGIN")) {
      throw new TriggerEnvError(
        `${SYSTEM_PREFIX}TLS_KEY must hold PEM text (a "-----BEGIN … PRIVATE KEY-----" block), not a path`,
      );
    }
    tls = { certPem, keyPem };
  }
  const host = get("HOST") || "0.0.0.0:8080";
  if (!/^(\[[^\]]+\]|[^:]*):\d+$/.test(host)) {
    throw new TriggerEnvError(`${SYSTEM_PREFIX}HOST must be host:port, got "${host}"`);
  }
  return { key, name, logLevel: get("LOG_LEVEL") || "info", host, tls };
}

export interface RunTriggerOptions {
  argv?: string[];
  env?: NodeJS.ProcessEnv;
  /** How often the parent pid is checked; 0 turns the check off. Default 1 s. */
  parentCheckMs?: number;
}

/** Calls onGone once the parent pid differs from the one at the start; returns a function that stops watching. */
export function watchParent(onGone: () => void, everyMs = 1_000, parentPid = () => process.ppid): () => void {
  const initial = parentPid();
  if (everyMs <= 0 || initial <= 1) return () => {};
  const timer = setInterval(() => {
    if (parentPid() === initial) return;
    clearInterval(timer);
    onGone();
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** Runs a trigger binary. Resolves with the exit code the process should end with. */
export async function runTrigger(
  factory: TriggerFactory,
  instructions: Instructions,
  options: RunTriggerOptions = {},
): Promise<number> {
  const args = options.argv ?? process.argv.slice(2);
  const env = options.env ?? process.env;
  const mode = args.length === 1 ? args[0] : undefined;

  if (mode === "installer") {
    process.stdout.write(`${formatInstructions(instructions)}\n`);
    return 0;
  }
  if (mode !== "server") {
    process.stderr.write(`${USAGE}\n`);
    return 1;
  }

  let config: TriggerEnv;
  try {
    config = readTriggerEnv(env);
  } catch (error) {
    process.stderr.write(`trigger cannot start: ${(error as Error).message}\n`);
    return 1;
  }
  const logger = createJsonLineLogger({ level: config.logLevel, name: config.name });
  let running: Awaited<ReturnType<typeof startTriggerServer>>;
  try {
    running = await startTriggerServer(factory, { ...config, logger, env });
  } catch (error) {
    logger.error("trigger cannot start", { error: (error as Error).message });
    return 1;
  }
  const onSignal = (signal: NodeJS.Signals) => void running.stop(`received ${signal}`);
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
  const stopWatching = watchParent(() => {
    logger.warn("parent process exited; stopping");
    void running.stop("parent process exited");
  }, options.parentCheckMs);
  await running.stopped;
  stopWatching();
  process.off("SIGTERM", onSignal);
  process.off("SIGINT", onSignal);
  return 0;
}
