// Starting the trigger in server mode the way Gofer does (spec §2.2, §2.3): fresh TLS material and key, env config,
// then Info until it answers.
import { randomBytes } from "node:crypto";
import { generateCertificate } from "@gofer/kernel";
import { CaseFailure, pass } from "./case-recorder.js";
import { CALL_TIMEOUT_MS, type ConformanceContext, seconds } from "./conformance-context.js";
import { EventCollector } from "./event-collector.js";
import { findFreePort } from "./free-port.js";
import { ConformanceClient } from "./trigger-client.js";
import { describeExit, planTriggerProcess, TriggerProcess } from "./trigger-process.js";

export interface ServerSession {
  readonly process: TriggerProcess;
  readonly client: ConformanceClient;
  readonly events: EventCollector;
  /** GOFER_PLUGIN_SYSTEM_NAME and _KEY as given to the trigger. */
  readonly name: string;
  readonly key: string;
  /** Labels (of NAMESPACE/PIPELINE) currently subscribed. */
  readonly subscribed: Set<string>;
  /** Every label Subscribe accepted, even if unsubscribed since: its queued events are legitimate. */
  readonly accepted: Set<string>;
  /** When each label's latest accepted Subscribe was sent and when it returned (clock ms). */
  readonly subscribedAtMs: Map<string, { readonly sentMs: number; readonly doneMs: number }>;
}

// The original's readiness loop (spec §2.3).
const READY_ATTEMPTS = 30;
const READY_PAUSE_MS = 300;
const STDERR_TAIL_LINES = 10;

/** Generates the TLS material and key and starts `<trigger> server`; the caller must stop the process. */
export async function launchServer(ctx: ConformanceContext): Promise<ServerSession> {
  const { certPem, keyPem } = await generateCertificate({ hosts: ["127.0.0.1", "localhost"] });
  const key = randomBytes(32).toString("hex");
  const port = await findFreePort();
  ctx.signal.throwIfAborted();
  const name = ctx.options.name;
  const env = {
    GOFER_PLUGIN_SYSTEM_TLS_CERT: certPem,
    GOFER_PLUGIN_SYSTEM_TLS_KEY: keyPem,
    GOFER_PLUGIN_SYSTEM_NAME: name,
    GOFER_PLUGIN_SYSTEM_LOG_LEVEL: "debug",
    GOFER_PLUGIN_SYSTEM_KEY: key,
    GOFER_PLUGIN_SYSTEM_HOST: `127.0.0.1:${port}`,
    ...ctx.profile.installEnv,
    ...ctx.options.env,
  };
  const process = TriggerProcess.start(planTriggerProcess(ctx.options.target, { mode: "server", env }), ctx.clock);
  const client = new ConformanceClient(`127.0.0.1:${port}`, certPem, key, ctx.clock);
  const events = new EventCollector(client, ctx.clock, ctx.signal);
  return { process, client, events, name, key, subscribed: new Set(), accepted: new Set(), subscribedAtMs: new Map() };
}

/** The server.ready case: resolves true once Info answered with the right key. */
export async function checkReadiness(ctx: ConformanceContext, server: ServerSession): Promise<boolean> {
  const result = await ctx.cases.run(
    "server.ready",
    `\`server\` answers Info within ${READY_ATTEMPTS} attempts ${READY_PAUSE_MS} ms apart`,
    async () => {
      const startedMs = ctx.clock.now().getTime();
      let lastError = "";
      for (let attempt = 1; attempt <= READY_ATTEMPTS; attempt++) {
        const exit = server.process.exitStatus;
        if (exit) {
          throw new CaseFailure(
            `${server.process.commandLine} ${describeExit(exit)} before answering Info ` +
              `(attempt ${attempt} of ${READY_ATTEMPTS})${stderrTail(server.process.stderr)}`,
          );
        }
        try {
          await server.client.info({ timeoutMs: CALL_TIMEOUT_MS, signal: ctx.signal });
          const elapsedMs = ctx.clock.now().getTime() - startedMs;
          return pass(`answered on attempt ${attempt} of ${READY_ATTEMPTS} after ${seconds(elapsedMs)}`);
        } catch (error) {
          ctx.signal.throwIfAborted();
          lastError = error instanceof Error ? error.message : String(error);
        }
        if (attempt < READY_ATTEMPTS) await ctx.clock.sleep(READY_PAUSE_MS, ctx.signal);
      }
      throw new CaseFailure(
        `no answer after ${READY_ATTEMPTS} attempts; last error: ${lastError}${stderrTail(server.process.stderr)}`,
      );
    },
  );
  return result.status === "pass";
}

function stderrTail(stderr: string): string {
  const lines = stderr.trimEnd().split("\n").slice(-STDERR_TAIL_LINES);
  if (lines.join("") === "") return "";
  return `\nlast lines of stderr:\n${lines.map((line) => `| ${line}`).join("\n")}`;
}
