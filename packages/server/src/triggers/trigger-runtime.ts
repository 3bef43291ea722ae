// The installed triggers and their supervisors. Fixes the original's lifecycle bugs (spec §7 #2, #4, #15-18):
// - a trigger installed while the server runs is started and watched at once, and pipelines that name it are
//   re-subscribed;
// - the registration is stored before anything starts, so a duplicate name is refused without touching the running
//   trigger; a trigger that cannot start is not left registered;
// - uninstall and disable unsubscribe its pipelines (which then show why), Shutdown the trigger and stop it within
//   stop_timeout; enable starts it again and re-subscribes;
// - at boot, enabled triggers start concurrently; one that fails keeps retrying without failing the server, and
//   pipelines naming a missing or disabled trigger get an error instead of a crash.
import type { Clock } from "@gofer/kernel";
import { ID_RULE, isValidId } from "@gofer/pipeline-sdk/check";
import type { Logger } from "winston";
import {
  AlreadyExistsError,
  errorMessage,
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
} from "../errors.js";
import type { EventLog } from "../events/event-log.js";
import type { RecordFiredEvent } from "../events/fired-event.js";
import type { Scheduler } from "../scheduler/scheduler.js";
import type { LivenessPolicy } from "./liveness.js";
import type { ReadinessPolicy } from "./readiness.js";
import type { TriggerKind, TriggerRegistration, TriggerView } from "./registration.js";
import { type TriggerChangeListener, TriggerChanges } from "./trigger-changes.js";
import { runInstaller } from "./trigger-installer.js";
import { type ExtensionSupport, TriggerSupervisor, type TriggerTls } from "./trigger-supervisor.js";

export interface TriggerRegistrationStore {
  listRegistrations(): Promise<TriggerRegistration[]>;
  getRegistration(name: string): Promise<TriggerRegistration | undefined>;
  /** Throws AlreadyExistsError when the name is taken. */
  insertRegistration(registration: TriggerRegistration): Promise<void>;
  deleteRegistration(name: string): Promise<void>;
  setRegistrationStatus(name: string, status: TriggerRegistration["status"]): Promise<void>;
  /** Names of triggers that stored pipelines subscribe to. */
  listSubscribedTriggerNames(): Promise<string[]>;
}

/** Several servers on one database (cluster/): which of them runs a trigger. Without it this server runs them all. */
export interface TriggerPlacement {
  /** Whether this server may run the trigger now. */
  holds(name: string): boolean;
  /**
   * Whether a trigger not running here runs, or is about to, on some server (this one or another): a subscription to
   * it then waits for that server. False for a trigger known to be disabled.
   */
  runsSomewhere(name: string): boolean;
  /** Takes the trigger for this server unless another holds it (install, enable). */
  claim(name: string): Promise<boolean>;
}

export interface TriggerRuntimeOptions {
  store: TriggerRegistrationStore;
  scheduler: Scheduler;
  eventLog: EventLog;
  onEvent: RecordFiredEvent;
  tls: TriggerTls;
  logLevel: string;
  readiness: ReadinessPolicy;
  liveness?: LivenessPolicy;
  stopTimeoutMs: number;
  clock: Clock;
  logger: Logger;
  /** How extensions reach the API and get their tokens; without it only v0.4 triggers can run. */
  extensions?: ExtensionSupport & { revokeAll(name: string): Promise<void> };
  placement?: TriggerPlacement;
}

export interface InstallRequest {
  name: string;
  image: string;
  user?: string;
  pass?: string;
  variables: Record<string, string>;
  /** trigger (v0.4, watched) or extension (v0.5, calls StartRun); detected from the image's installer when absent. */
  kind?: TriggerKind;
}

export class TriggerRuntime {
  private readonly supervisors = new Map<string, TriggerSupervisor>();
  private readonly changes = new TriggerChanges();
  /** Set by stopAll: nothing starts after it. */
  private stopped = false;

  constructor(private readonly options: TriggerRuntimeOptions) {}

  /** Follows what happens to the triggers (trigger-changes.ts) until signal aborts. */
  listen(listener: TriggerChangeListener, signal: AbortSignal): void {
    this.changes.listen(listener, signal);
  }

  /** For the SubscriptionManager: a client to a running trigger, or why there is none. */
  connection(
    name: string,
  ): { client: NonNullable<TriggerSupervisor["client"]> } | { unavailable: string; pending?: boolean } {
    const supervisor = this.supervisors.get(name);
    if (!supervisor && this.options.placement?.runsSomewhere(name))
      return { unavailable: `trigger "${name}" runs on another server or is starting`, pending: true };
    if (!supervisor) return { unavailable: `trigger "${name}" is not installed or not enabled` };
    const client = supervisor.client;
    if (!client) {
      // Supervised, so it will be ready (starting, or restarting after a crash): a subscription to it can wait.
      return { unavailable: `trigger "${name}" is not running yet (state ${supervisor.state})`, pending: true };
    }
    return { client };
  }

  /** Whether a trigger of this name is installed, enabled or not (the external events endpoint's 400). */
  async isInstalled(name: string): Promise<boolean> {
    if (this.supervisors.has(name)) return true;
    return (await this.options.store.getRegistration(name)) !== undefined;
  }

  /**
   * Starts every enabled trigger; failures are logged and retried, never fatal. With a placement, those this server
   * holds are started by adopt() instead, and only then are their extensions' earlier tokens revoked.
   */
  async startAll(): Promise<void> {
    const registrations = await this.options.store.listRegistrations();
    const enabled = this.options.placement ? [] : registrations.filter((r) => r.status === "ENABLED");
    // Tokens of extensions from a previous run (a crash skips their revocation) must not outlive it.
    for (const registration of registrations.filter((r) => r.kind === "extension" && !this.options.placement)) {
      await this.options.extensions?.revokeAll(registration.name);
    }
    for (const registration of enabled) this.supervise(registration);
    const outcomes = await Promise.allSettled(enabled.map((r) => this.supervisors.get(r.name)?.firstStart));
    outcomes.forEach((outcome, i) => {
      if (outcome.status === "rejected") {
        this.options.logger.error("trigger did not start; retrying in the background", {
          trigger: enabled[i]?.name,
          error: errorMessage(outcome.reason),
        });
      }
    });
    // Pipelines that name a trigger which is not installed or disabled get an error now rather than silence.
    const known = new Map(registrations.map((r) => [r.name, r]));
    for (const name of await this.options.store.listSubscribedTriggerNames()) {
      const registration = known.get(name);
      if (!registration) await this.changes.tell({ kind: "leaving", name, why: "is not installed" });
      else if (registration.status === "DISABLED")
        await this.changes.tell({ kind: "leaving", name, why: "is disabled" });
    }
  }

  async install(request: InstallRequest): Promise<void> {
    if (request.name === "") throw new FailedPreconditionError("name required");
    if (request.image === "") throw new FailedPreconditionError("image required");
    if (!isValidId(request.name)) {
      throw new InvalidArgumentError(`trigger name ${JSON.stringify(request.name)} ${ID_RULE}`);
    }
    const kind = request.kind ?? (await this.detectKind(request));
    const registration: TriggerRegistration = {
      name: request.name,
      image: request.image,
      kind,
      ...(request.user ? { registryAuth: { user: request.user, pass: request.pass ?? "" } } : {}),
      variables: Object.entries(request.variables).map(([key, value]) => ({ key, value, source: "SYSTEM" as const })),
      created: this.options.clock.now().getTime(),
      status: "ENABLED",
    };
    // Stored first: a duplicate name is refused here, before anything starts or is replaced.
    await this.options.store.insertRegistration(registration);
    // Not claimed: a lease of an uninstalled trigger of this name is still held elsewhere; its holder lets it go at its
    // next round and the trigger then starts wherever the lease goes.
    const claimed = await this.claimed(registration.name);
    const supervisor = claimed ? (this.supervisors.get(registration.name) ?? this.supervise(registration)) : undefined;
    try {
      await supervisor?.firstStart;
    } catch (error) {
      await supervisor?.stop("install failed");
      this.supervisors.delete(registration.name);
      await this.options.store.deleteRegistration(registration.name);
      throw new FailedPreconditionError(
        `could not start trigger "${registration.name}" from image "${registration.image}": ${errorMessage(error)}`,
      );
    }
    await this.options.eventLog.record("INSTALLED_TRIGGER", { name: registration.name, image: registration.image });
  }

  /** Missing names are not an error, as in the original. */
  async uninstall(name: string): Promise<void> {
    const registration = await this.options.store.getRegistration(name);
    await this.retire(name, "is not installed");
    if (!registration) return;
    await this.options.store.deleteRegistration(name);
    await this.options.eventLog.record("UNINSTALLED_TRIGGER", { name, image: registration.image });
  }

  async disable(name: string): Promise<void> {
    const registration = await this.require(name);
    await this.options.store.setRegistrationStatus(name, "DISABLED");
    await this.retire(name, "is disabled");
    await this.options.eventLog.record("DISABLED_TRIGGER", { name, image: registration.image });
  }

  async enable(name: string): Promise<void> {
    const registration = await this.require(name);
    await this.options.store.setRegistrationStatus(name, "ENABLED");
    if (!this.supervisors.has(name) && (await this.claimed(name)) && !this.supervisors.has(name)) {
      const supervisor = this.supervise({ ...registration, status: "ENABLED" });
      await supervisor.firstStart.catch((error: unknown) =>
        this.options.logger.error("enabled trigger did not start; retrying", {
          trigger: name,
          error: errorMessage(error),
        }),
      );
    }
    await this.options.eventLog.record("ENABLED_TRIGGER", { name, image: registration.image });
  }

  async get(name: string): Promise<TriggerView> {
    return this.view(await this.require(name));
  }

  async list(): Promise<TriggerView[]> {
    const registrations = await this.options.store.listRegistrations();
    return registrations.map((r) => this.view(r)).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The image's install instructions: its ./trigger installer, or else its ./extension installer (v0.5). */
  async installInstructions(image: string, user?: string, pass?: string): Promise<string> {
    if (image === "") throw new FailedPreconditionError("image required");
    return (await this.runInstallers(image, user, pass)).instructions;
  }

  private async runInstallers(
    image: string,
    user?: string,
    pass?: string,
  ): Promise<{ kind: TriggerKind; instructions: string }> {
    const request = { image, ...(user ? { registryAuth: { user, pass: pass ?? "" } } : {}) };
    const run = (binary: "./trigger" | "./extension") =>
      runInstaller(this.options.scheduler, this.options.tls, this.options.logLevel, { ...request, binary });
    try {
      return { kind: "trigger", instructions: await run("./trigger") };
    } catch (triggerError) {
      try {
        return { kind: "extension", instructions: await run("./extension") };
      } catch (extensionError) {
        throw new FailedPreconditionError(
          `image "${image}" is neither a v0.4 trigger nor a v0.5 extension: ./trigger installer: ${errorMessage(triggerError)}; ./extension installer: ${errorMessage(extensionError)}`,
        );
      }
    }
  }

  private async detectKind(request: InstallRequest): Promise<TriggerKind> {
    return (await this.runInstallers(request.image, request.user, request.pass)).kind;
  }

  /** The installed triggers, enabled or not (cluster/: the enabled ones are held by some server). */
  async triggerStatuses(): Promise<Array<{ name: string; enabled: boolean }>> {
    return (await this.options.store.listRegistrations()).map((r) => ({
      name: r.name,
      enabled: r.status === "ENABLED",
    }));
  }

  /** Starts an enabled trigger this server was given (cluster/ took its lease); the server stopping, none. */
  async adopt(name: string): Promise<void> {
    const registration = await this.options.store.getRegistration(name);
    if (registration?.status !== "ENABLED" || this.supervisors.has(name)) return;
    // The tokens an extension got from its previous holder (dead, or stopping it) must not outlive that holder.
    if (registration.kind === "extension") await this.options.extensions?.revokeAll(name);
    // Checked after the reads: the lease may have gone meanwhile, and nothing else may start it twice.
    if (this.stopped || this.supervisors.has(name) || !this.mayRun(name)) return;
    await this.supervise(registration).firstStart;
  }

  /** Stops a trigger another server runs now; its pipelines keep their subscriptions, which that server holds. */
  async relinquish(name: string, why: string): Promise<void> {
    const supervisor = this.supervisors.get(name);
    this.supervisors.delete(name);
    await supervisor?.stop(`trigger ${why}`);
  }

  private mayRun(name: string): boolean {
    return this.options.placement?.holds(name) ?? true;
  }

  private async claimed(name: string): Promise<boolean> {
    return (await this.options.placement?.claim(name)) ?? true;
  }

  /** Stops every trigger (server shutdown), each within stop_timeout. */
  async stopAll(reason: string): Promise<void> {
    this.stopped = true;
    const all = [...this.supervisors.values()];
    this.supervisors.clear();
    await Promise.allSettled(all.map((s) => s.stop(reason)));
  }

  private async require(name: string): Promise<TriggerRegistration> {
    if (name === "") throw new FailedPreconditionError("name required");
    const registration = await this.options.store.getRegistration(name);
    if (!registration) throw new NotFoundError(`trigger "${name}" not found`);
    return registration;
  }

  /** Unsubscribes the trigger's pipelines (marking them), then stops it. */
  private async retire(name: string, why: string): Promise<void> {
    await this.changes.tell({ kind: "leaving", name, why });
    const supervisor = this.supervisors.get(name);
    this.supervisors.delete(name);
    await supervisor?.stop(`trigger ${why}`);
  }

  private supervise(registration: TriggerRegistration): TriggerSupervisor {
    const existing = this.supervisors.get(registration.name);
    if (existing) throw new AlreadyExistsError(`trigger "${registration.name}" is already running`);
    const supervisor = new TriggerSupervisor({
      registration,
      scheduler: this.options.scheduler,
      tls: this.options.tls,
      logLevel: this.options.logLevel,
      readiness: this.options.readiness,
      ...(this.options.liveness ? { liveness: this.options.liveness } : {}),
      stopTimeoutMs: this.options.stopTimeoutMs,
      clock: this.options.clock,
      logger: this.options.logger,
      onReady: () => this.changes.tell({ kind: "ready", name: registration.name }),
      onExit: () => {
        this.changes.tell({ kind: "exited", name: registration.name }).catch((error: unknown) =>
          this.options.logger.error("a follower of trigger changes failed", {
            trigger: registration.name,
            error: errorMessage(error),
          }),
        );
      },
      onEvent: this.options.onEvent,
      onUnhealthy: async (_supervisor, reason) => {
        await this.options.eventLog.record("UNHEALTHY_TRIGGER", {
          name: registration.name,
          image: registration.image,
          reason,
        });
      },
      ...(this.options.extensions ? { extensions: this.options.extensions } : {}),
    });
    this.supervisors.set(registration.name, supervisor);
    supervisor.start();
    return supervisor;
  }

  private view(registration: TriggerRegistration): TriggerView {
    const supervisor = this.supervisors.get(registration.name);
    return {
      name: registration.name,
      image: registration.image,
      kind: registration.kind,
      url: supervisor?.url ?? "",
      started: supervisor?.started ?? 0,
      state: supervisor?.state ?? "EXITED",
      status: registration.status,
      documentation: supervisor?.documentation ?? "",
    };
  }
}
