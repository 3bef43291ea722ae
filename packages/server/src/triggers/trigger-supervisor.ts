// Keeps one installed trigger running (spec §2.2-2.3 and §2.10, with the bugs of §7 fixed).
//
// States (TriggerState): PROCESSING (starting: container up, waiting for Info) → RUNNING (Info answered; Watcher
// running; the trigger's pipelines re-subscribed) ⇄ UNKNOWN (its Watch fails, or it misses liveness checks; back to
// RUNNING when it answers again, killed and restarted after a few missed checks) → EXITED (the process ended). An
// unexpected exit is followed, after a backoff, by a fresh start with a new key and a re-subscription of every
// pipeline. stop() ends the cycle: it asks the trigger to Shutdown (which also answers its parked Watch), waits up to
// stop_timeout for it to exit, then stops it (SIGTERM) and finally kills it. stop() is idempotent and bounded.
import type { Clock } from "@gofer/kernel";
import { generateTriggerKey } from "@gofer/trigger-sdk";
import type { Logger } from "winston";
import { errorMessage } from "../errors.js";
import type { RecordFiredEvent } from "../events/fired-event.js";
import type { Scheduler, StartedContainer } from "../scheduler/scheduler.js";
import { type BackoffPolicy, backoffDelayMs } from "./backoff.js";
import { buildExtensionEnv } from "./extension-env.js";
import { DEFAULT_LIVENESS, type LivenessPolicy, watchLiveness } from "./liveness.js";
import { extensionConnection, type PluginConnection, triggerConnection } from "./plugin-connection.js";
import { type ReadinessPolicy, waitForReady } from "./readiness.js";
import type { TriggerRegistration, TriggerState } from "./registration.js";
import { buildTriggerEnv } from "./trigger-env.js";
import { Watcher } from "./watcher.js";

export const TRIGGER_CONTAINER_PORT = 8080;
export const EXTENSION_CONTAINER_PORT = 8082;

/** What starting v0.5 extensions needs beyond triggers (spec §5.2). */
export interface ExtensionSupport {
  /** A fresh API token for the extension, valid for StartRun; new at every start. */
  issueToken(name: string): Promise<string>;
  revokeToken(token: string): Promise<void>;
  /** host:port at which the container reaches Gofer's API. */
  goferHost: string;
  /** Path of the API's certificate (mounted at the same path), undefined when the API is plaintext. */
  apiCertPath: string | undefined;
  skipTlsVerify: boolean;
}

export interface TriggerTls {
  certPem: string;
  keyPem: string;
}

export interface TriggerSupervisorOptions {
  registration: TriggerRegistration;
  scheduler: Scheduler;
  tls: TriggerTls;
  logLevel: string;
  readiness: ReadinessPolicy;
  /** Info checks while running (liveness.ts); default every 2 s, 2 s deadline, 3 misses. */
  liveness?: LivenessPolicy;
  stopTimeoutMs: number;
  restartBackoff?: BackoffPolicy;
  /** A run that lasted this long resets the restart backoff. Default 30 s. */
  stableAfterMs?: number;
  clock: Clock;
  logger: Logger;
  /** The trigger answered Info: re-subscribe its pipelines. An error here is logged; the trigger keeps running. */
  onReady: (supervisor: TriggerSupervisor) => Promise<void>;
  /** The trigger is no longer running (crash or stop): its subscriptions are gone. */
  onExit: (supervisor: TriggerSupervisor) => void;
  onEvent: RecordFiredEvent;
  /** The trigger stopped answering liveness checks and is being restarted (recorded as an event). */
  onUnhealthy?: (supervisor: TriggerSupervisor, reason: string) => Promise<void>;
  /** Required to run registrations of kind "extension". */
  extensions?: ExtensionSupport;
}

export class TriggerSupervisor {
  readonly name: string;
  private stateValue: TriggerState = "PROCESSING";
  private startedAtMs = 0;
  private documentationValue = "";
  private address = "";
  private clientValue: PluginConnection | undefined;
  private container: StartedContainer | undefined;
  private watcher: Watcher | undefined;
  /** The last lines the process printed, for a start error that says why. */
  private readonly lastLines: string[] = [];
  private readonly lifetime = new AbortController();
  private loopDone: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  /** Set as soon as stop() is called: an exit after that is the one we asked for. */
  private stopRequested = false;
  /** Set when liveness checks killed the trigger: its exit is then logged with why. */
  private unhealthyReason: string | undefined;
  private firstOutcome: { resolve: () => void; reject: (error: Error) => void } | undefined;
  readonly firstStart: Promise<void>;

  constructor(private readonly options: TriggerSupervisorOptions) {
    this.name = options.registration.name;
    this.firstStart = new Promise<void>((resolve, reject) => {
      this.firstOutcome = { resolve, reject };
    });
    this.firstStart.catch(() => {}); // observed by whoever awaits it; never an unhandled rejection
  }

  get state(): TriggerState {
    return this.stateValue;
  }

  get url(): string {
    return this.stateValue === "EXITED" ? "" : this.address;
  }

  get started(): number {
    return this.startedAtMs;
  }

  get documentation(): string {
    return this.documentationValue;
  }

  /** The connection to the running trigger or extension, or undefined when it is not RUNNING. */
  get client(): PluginConnection | undefined {
    return this.stateValue === "RUNNING" || this.stateValue === "UNKNOWN" ? this.clientValue : undefined;
  }

  /** Starts the supervision loop. firstStart settles with the outcome of the first attempt. */
  start(): void {
    this.loopDone ??= this.loop();
  }

  stop(reason: string): Promise<void> {
    this.stopRequested = true;
    this.stopping ??= this.stopNow(reason);
    return this.stopping;
  }

  private setState(state: TriggerState): void {
    if (this.stateValue === state) return;
    this.options.logger.info("trigger state changed", { trigger: this.name, from: this.stateValue, to: state });
    this.stateValue = state;
  }

  private async loop(): Promise<void> {
    const { clock, logger } = this.options;
    const signal = this.lifetime.signal;
    let failures = 0;
    while (!signal.aborted) {
      const runStartedMs = clock.now().getTime();
      let exitCode: number | null | undefined;
      try {
        exitCode = await this.runOnce(signal);
      } catch (error) {
        if (signal.aborted) break;
        // Once it ran, an error is the engine losing track of it (the Docker daemon restarting, say), not a start.
        const ran = this.startedAtMs >= runStartedMs && this.startedAtMs > 0;
        logger.error(ran ? "lost track of the trigger; restarting it" : "trigger failed to start", {
          trigger: this.name,
          error: errorMessage(error),
          attempt: failures + 1,
        });
        this.firstOutcome?.reject(error instanceof Error ? error : new Error(errorMessage(error)));
        this.firstOutcome = undefined;
      }
      this.setState("EXITED");
      this.options.onExit(this);
      if (signal.aborted || this.stopRequested) break;
      if (this.unhealthyReason !== undefined) {
        logger.warn("hung trigger killed; restarting", { trigger: this.name, reason: this.unhealthyReason });
        this.unhealthyReason = undefined;
      } else if (exitCode !== undefined) {
        logger.warn("trigger exited unexpectedly; restarting", { trigger: this.name, exitCode });
      }
      if (clock.now().getTime() - runStartedMs >= (this.options.stableAfterMs ?? 30_000)) failures = 0;
      failures += 1;
      const delayMs = backoffDelayMs(this.options.restartBackoff ?? { initialMs: 1_000, maxMs: 60_000 }, failures);
      logger.info("restarting trigger", { trigger: this.name, attempt: failures, inMs: delayMs });
      await clock.sleep(delayMs, signal).catch(() => {});
    }
  }

  /** One start-to-exit cycle. Resolves with the exit code once the process ends; rejects if it never became ready. */
  private async runOnce(signal: AbortSignal): Promise<number | null> {
    const { scheduler, registration, clock, logger } = this.options;
    this.setState("PROCESSING");
    const isExtension = registration.kind === "extension";
    const extensions = this.options.extensions;
    if (isExtension && !extensions) throw new Error("this server cannot run v0.5 extensions (no API address for them)");
    // A fresh key on every start: for an extension it is a real API token, revoked when this run ends.
    const key = isExtension && extensions ? await extensions.issueToken(registration.name) : generateTriggerKey();
    try {
      const { certPem, keyPem } = this.options.tls;
      const container = await scheduler.start(
        {
          name: `${isExtension ? "extension" : "trigger"}_${registration.name}`,
          image: registration.image,
          ...(registration.registryAuth ? { registryAuth: registration.registryAuth } : {}),
          env:
            isExtension && extensions
              ? buildExtensionEnv({
                  name: registration.name,
                  token: key,
                  certPem,
                  keyPem,
                  logLevel: this.options.logLevel,
                  goferHost: extensions.goferHost,
                  apiCertPath: extensions.apiCertPath,
                  skipTlsVerify: extensions.skipTlsVerify,
                  variables: registration.variables,
                })
              : buildTriggerEnv({
                  name: registration.name,
                  key,
                  certPem,
                  keyPem,
                  logLevel: this.options.logLevel,
                  variables: registration.variables,
                }),
          listen: isExtension
            ? { containerPort: EXTENSION_CONTAINER_PORT, addressEnv: "GOFER_EXTENSION_SYSTEM_HOST" }
            : { containerPort: TRIGGER_CONTAINER_PORT, addressEnv: "GOFER_PLUGIN_SYSTEM_HOST" },
          ...(isExtension && extensions?.apiCertPath ? { readOnlyFiles: [extensions.apiCertPath] } : {}),
          labels: { gofer: "true", "gofer.kind": registration.kind, "gofer.trigger": registration.name },
        },
        signal,
      );
      this.container = container;
      void this.forwardLogs(container.id, signal);
      const exited = scheduler.wait(container.id);
      this.address = container.address ?? "";
      const connect = isExtension ? extensionConnection : triggerConnection;
      const client = connect({ address: this.address, key, certPem });
      this.clientValue = client;
      try {
        const info = await Promise.race([
          waitForReady(() => client.info(), this.options.readiness, clock, signal),
          exited.then(async (status) => {
            await clock.sleep(50, signal).catch(() => {}); // let its last output lines arrive
            const output = this.lastLines.length > 0 ? `; its last output: ${this.lastLines.join(" | ")}` : "";
            throw new Error(
              `${registration.kind} exited with code ${status.exitCode} before it answered Info${status.reason ? ` (${status.reason})` : ""}${output}`,
            );
          }),
        ]);
        this.documentationValue = info.documentation;
        this.startedAtMs = clock.now().getTime();
        this.setState("RUNNING");
        this.firstOutcome?.resolve();
        this.firstOutcome = undefined;

        const runSignal = new AbortController();
        let watching: Promise<void> = Promise.resolve();
        if (client.watch) {
          const watcher = new Watcher({
            triggerName: registration.name,
            source: { watch: client.watch },
            onEvent: this.options.onEvent,
            onHealth: (health) => {
              if (this.stateValue === "RUNNING" || this.stateValue === "UNKNOWN") this.setState(health);
            },
            clock,
            logger,
          });
          this.watcher = watcher;
          watching = watcher.start(AbortSignal.any([signal, runSignal.signal]));
        }
        const checking = this.checkLiveness(client, container.id, AbortSignal.any([signal, runSignal.signal]));
        await this.options
          .onReady(this)
          .catch((error: unknown) =>
            logger.error("re-subscribing pipelines failed", { trigger: this.name, error: errorMessage(error) }),
          );
        const status = await exited;
        runSignal.abort();
        await Promise.all([watching, checking]);
        return status.exitCode;
      } catch (error) {
        if (!signal.aborted) await scheduler.stop(container.id, 0).catch(() => {});
        throw error;
      } finally {
        client.close();
        if (this.clientValue === client) this.clientValue = undefined;
      }
    } finally {
      if (isExtension && extensions) {
        await extensions
          .revokeToken(key)
          .catch((error: unknown) =>
            logger.error("could not revoke an extension token", { trigger: this.name, error: errorMessage(error) }),
          );
      }
    }
  }

  /** Info with a deadline every few seconds; a trigger that misses too many in a row is marked and restarted. */
  private async checkLiveness(client: PluginConnection, containerId: string, signal: AbortSignal): Promise<void> {
    const { clock, logger, scheduler } = this.options;
    const policy = this.options.liveness ?? DEFAULT_LIVENESS;
    const reason = await watchLiveness({
      probe: () => client.info(),
      policy,
      clock,
      signal,
      onMiss: (miss, error) => {
        logger.warn("trigger missed a liveness check", { trigger: this.name, miss, of: policy.misses, error });
        if (this.stateValue === "RUNNING") this.setState("UNKNOWN");
      },
      onAnswer: () => {
        logger.info("trigger answers liveness checks again", { trigger: this.name });
        if (this.stateValue === "UNKNOWN") this.setState("RUNNING");
      },
    });
    if (reason === undefined || signal.aborted || this.stopRequested) return;
    logger.warn("trigger is hung; restarting it", { trigger: this.name, reason });
    this.setState("UNKNOWN");
    await this.options
      .onUnhealthy?.(this, reason)
      .catch((error: unknown) =>
        logger.error("could not record that a trigger is hung", { trigger: this.name, error: errorMessage(error) }),
      );
    // A hung process may not act on SIGTERM (a stopped one cannot): kill it; the supervision loop restarts it.
    this.unhealthyReason = reason;
    await scheduler
      .stop(containerId, 0)
      .catch((error: unknown) =>
        logger.error("could not kill a hung trigger", { trigger: this.name, error: errorMessage(error) }),
      );
  }

  private async forwardLogs(id: string, signal: AbortSignal): Promise<void> {
    try {
      for await (const line of this.options.scheduler.logs(id, signal)) {
        this.lastLines.push(line);
        if (this.lastLines.length > 5) this.lastLines.shift();
        this.logTriggerLine(line);
      }
    } catch (error) {
      if (!signal.aborted)
        this.options.logger.debug("trigger output ended", { trigger: this.name, error: errorMessage(error) });
    }
  }

  /** A trigger's own JSON log line keeps its level, message and fields; any other line is logged as info. */
  private logTriggerLine(line: string): void {
    const { logger } = this.options;
    if (line.startsWith("{")) {
      try {
        const { level, message, timestamp: _timestamp, ...fields } = JSON.parse(line) as Record<string, unknown>;
        const known = typeof level === "string" && ["error", "warn", "info", "debug"].includes(level) ? level : "info";
        logger.log(known, String(message ?? ""), { ...fields, trigger: this.name, source: "trigger" });
        return;
      } catch {
        // not JSON after all
      }
    }
    logger.info(line, { trigger: this.name, source: "trigger" });
  }

  private async stopNow(reason: string): Promise<void> {
    const { clock, logger, scheduler, stopTimeoutMs } = this.options;
    const startedMs = clock.now().getTime();
    logger.info("stopping trigger", { trigger: this.name, reason });
    const container = this.container;
    const client = this.clientValue;
    if (container && client && this.stateValue !== "EXITED") {
      // Shutdown first: the trigger cleans up and answers its parked Watch empty, so no event is lost in flight; the
      // Watcher records what that Watch returns and then ends instead of asking again.
      this.watcher?.finishAfterCurrent();
      const shutdownDone = client.shutdown().then(
        () => true,
        (error: unknown) => {
          logger.warn("trigger Shutdown failed", { trigger: this.name, error: errorMessage(error) });
          return false;
        },
      );
      const wait = new AbortController();
      const exitedInTime = await Promise.race([
        shutdownDone.then(async (ok) => {
          if (!ok) return false;
          await scheduler.wait(container.id);
          return true;
        }),
        clock.sleep(stopTimeoutMs, wait.signal).then(
          () => false,
          () => false,
        ),
      ]);
      wait.abort();
      if (!exitedInTime) {
        logger.warn("trigger did not exit after Shutdown; stopping it", { trigger: this.name, stopTimeoutMs });
      }
    }
    this.lifetime.abort(new Error(`trigger stopping: ${reason}`));
    if (container) await scheduler.stop(container.id, Math.min(stopTimeoutMs, 10_000)).catch(() => {});
    await this.loopDone;
    this.setState("EXITED");
    this.firstOutcome?.reject(new Error(`trigger stopped before it was ready: ${reason}`));
    this.firstOutcome = undefined;
    logger.info("trigger stopped", { trigger: this.name, durationMs: clock.now().getTime() - startedMs });
  }
}
