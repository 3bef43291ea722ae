// The docker engine: runs trigger, installer and task containers on a Docker daemon (spec §2.2, §2.8, §5.2).
//
// start(spec): remove a stale container of the same name (force, as the original) → make sure the image is there
//   (docker-image.ts: local image as is, pull when missing, alwaysPull falls back to a local image) → create → start.
//   Networking: "host" shares the host's network and gives each listener its own 127.0.0.1:<free port> through
//   spec.listen.addressEnv (GOFER_PLUGIN_SYSTEM_HOST / GOFER_EXTENSION_SYSTEM_HOST, which the original SDKs honour);
//   "bridge" publishes the listen port (8080/tcp, 8082/tcp) on 127.0.0.1 with an ephemeral host port, as the original;
//   spec.network "none" cuts networking off (installers). spec.readOnlyFiles are bind-mounted read-only at the same
//   path (an extension's trust in the API's certificate); Docker refuses a relative path ("mount path must be
//   absolute"), so each is resolved against the server's working directory first. Every container carries the label gofer=true beside the
//   caller's labels, so orphans are found (list) and pruned (docker-pruner.ts).
// wait: one long-polling `wait` per container, shared by every caller; the exit code, and why it ended when we know
//   (stopped, killed after N ms, out of memory, never started).
// stop: SIGTERM, then SIGKILL once timeoutMs has passed on the injected clock (ms-exact, unlike the daemon's whole
//   seconds). Busybox or any program without a SIGTERM handler as PID 1 ignores SIGTERM, so it is killed at the timeout.
// logs: the daemon's log stream (json-file keeps it) from the beginning, demultiplexed into lines, following until the
//   container exits; any number of readers, each with its own stream.
// Many servers, one daemon: with an instanceId (each server's own, kept in its database) every container name is
//   prefixed "gofer-<instanceId>-" and every container labelled gofer.instance=<instanceId>; list(), pruning and the
//   stale-name removal see only this server's containers, so a server never removes one it did not create.
//   reapOrphans() (at start) stops the trigger and extension containers an earlier run of this same server left.
// An unreachable daemon is a SchedulerError that says so; start() retries it a few times with backoff before giving up
// (triggers then retry again through their supervisor). Nothing here throws outside a returned promise.
import { setMaxListeners } from "node:events";
import { resolve as resolvePath } from "node:path";
import type { Clock } from "@gofer/trigger-sdk";
import type { Logger } from "winston";
import type { DockerNetwork } from "../config/config.js";
import { errorMessage } from "../errors.js";
import {
  type DockerApi,
  type DockerContainer,
  type DockerContainerInspect,
  type DockerCreateOptions,
  defaultDockerAddress,
} from "./docker-api.js";
import {
  describeUnreachable,
  dockerErrorMessage,
  dockerStatusCode,
  isDaemonUnreachable,
  isNotFound,
} from "./docker-error.js";
import { ensureImage } from "./docker-image.js";
import { dockerLogLines } from "./docker-log-stream.js";
import { runDockerPruner } from "./docker-pruner.js";
import { freeLoopbackPort } from "./process-scheduler.js";
import {
  type ContainerSpec,
  type ContainerState,
  type ExitStatus,
  type Scheduler,
  SchedulerError,
  type StartedContainer,
} from "./scheduler.js";

export interface RetryPolicy {
  readonly attempts: number;
  /** Delay before the second attempt; doubles after each further one. */
  readonly delayMs: number;
}

export interface DockerSchedulerOptions {
  readonly api: DockerApi;
  readonly network: DockerNetwork;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Where the daemon is, for messages. Default: DOCKER_HOST or the local socket. */
  readonly daemonAddress?: string;
  /** While the daemon is unreachable: start() attempts and wait() re-polls. Default 3 attempts, 500 ms doubling. */
  readonly unreachableRetry?: RetryPolicy;
  /** server.extension_address: where containers reach the API; default derived from the networking. */
  readonly extensionAddress?: string;
  /** Exited containers remembered for wait()/stop() reasons after their exit. Default 1,000. */
  readonly keepExited?: number;
  /** This server's own id (see above); without it names and clean-up are not scoped (one server per daemon). */
  readonly instanceId?: string;
}

export const INSTANCE_LABEL = "gofer.instance";

interface Tracked {
  readonly id: string;
  name: string | undefined;
  labels: Record<string, string>;
  /** Started by this engine (close() stops it). */
  startedHere: boolean;
  exit: Promise<ExitStatus> | undefined;
  status: ExitStatus | undefined;
  stopReason: string | undefined;
  readers: number;
}

const RUNNING_STATES = new Set(["running", "paused", "restarting"]);
const NEVER_STARTED = "0001-01-01T00:00:00Z";

export class DockerScheduler implements Scheduler {
  readonly engine = "docker" as const;
  private readonly tracked = new Map<string, Tracked>();
  private readonly lifetime = new AbortController();
  private readonly retry: RetryPolicy;
  private readonly daemonAddress: string;
  private pruner: { stop: AbortController; done: Promise<void> } | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: DockerSchedulerOptions) {
    this.retry = options.unreachableRetry ?? { attempts: 3, delayMs: 500 };
    this.daemonAddress = options.daemonAddress ?? defaultDockerAddress();
    // Every pending wait and log stream listens on the lifetime signal: one per container, far more than 10.
    setMaxListeners(0, this.lifetime.signal);
  }

  /** Starts pruning exited gofer containers every intervalMs until close(). Idempotent. */
  startPruner(intervalMs: number): void {
    if (this.pruner || this.closing) return;
    const stop = new AbortController();
    const done = runDockerPruner(
      {
        api: this.options.api,
        intervalMs,
        minAgeMs: Math.min(intervalMs, 60_000),
        ...(this.options.instanceId ? { instanceId: this.options.instanceId } : {}),
        inUse: (id) => this.inUse(id),
        clock: this.options.clock,
        logger: this.options.logger,
      },
      stop.signal,
    );
    this.pruner = { stop, done };
  }

  /** Where a container reaches the server's API on apiPort (v0.5 extensions call StartRun there, spec §5.2). */
  async apiAddressForContainers(apiPort: number): Promise<string> {
    if (this.options.extensionAddress) return this.options.extensionAddress;
    if (this.options.network === "host") return `127.0.0.1:${apiPort}`;
    // On a bridge, the host is the bridge's gateway; the API must listen there (or on 0.0.0.0) to be reached.
    try {
      const info = await this.options.api.getNetwork("bridge").inspect();
      const gateway = info.IPAM?.Config?.find((c) => c.Gateway)?.Gateway;
      if (gateway) return `${gateway}:${apiPort}`;
    } catch (error) {
      this.options.logger.warn("could not read the docker bridge's gateway; assuming 172.17.0.1", {
        error: this.describe(error),
      });
    }
    return `172.17.0.1:${apiPort}`;
  }

  async start(spec: ContainerSpec, signal?: AbortSignal): Promise<StartedContainer> {
    if (this.closing) throw new SchedulerError(`the docker engine is closed: "${spec.name}" not started`);
    const { attempts, delayMs } = this.retry;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.startOnce(spec, signal);
      } catch (error) {
        if (error instanceof SchedulerError) throw error;
        if (signal?.aborted) throw signal.reason ?? error;
        const what = `could not start container "${spec.name}" from image "${spec.image}"`;
        if (!isDaemonUnreachable(error)) {
          throw new SchedulerError(`${what}: ${dockerErrorMessage(error)}`, { cause: error });
        }
        const message = `${what}: ${describeUnreachable(error, this.daemonAddress)} (attempt ${attempt} of ${attempts})`;
        if (attempt >= attempts) throw new SchedulerError(message, { cause: error });
        const inMs = delayMs * 2 ** (attempt - 1);
        this.options.logger.warn(message, { retryInMs: inMs });
        await this.options.clock.sleep(
          inMs,
          signal ? AbortSignal.any([signal, this.lifetime.signal]) : this.lifetime.signal,
        );
      }
    }
  }

  private async startOnce(spec: ContainerSpec, signal: AbortSignal | undefined): Promise<StartedContainer> {
    const { api, logger } = this.options;
    const name = this.containerName(spec.name);
    await this.removeStale(name);
    await ensureImage(api, spec, logger, signal);

    const network = spec.network === "none" ? "none" : this.options.network;
    const env: Record<string, string> = { ...spec.env };
    const portKey = spec.listen ? `${spec.listen.containerPort}/tcp` : undefined;
    let address: string | undefined;
    if (spec.listen && network === "host") {
      address = `127.0.0.1:${await freeLoopbackPort()}`;
      env[spec.listen.addressEnv] = address;
    } else if (spec.listen && network === "bridge") {
      env[spec.listen.addressEnv] = `0.0.0.0:${spec.listen.containerPort}`;
    }
    const publish = network === "bridge" && portKey !== undefined;
    const options: DockerCreateOptions = {
      name,
      Image: spec.image,
      Env: Object.entries(env).map(([key, value]) => `${key}=${value}`),
      Labels: { ...spec.labels, ...this.instanceLabels(), gofer: "true" },
      ...(spec.entrypoint && spec.entrypoint.length > 0 ? { Entrypoint: [...spec.entrypoint] } : {}),
      ...(spec.command && spec.command.length > 0 ? { Cmd: [...spec.command] } : {}),
      ...(publish ? { ExposedPorts: { [portKey]: {} } } : {}),
      HostConfig: {
        NetworkMode: network,
        // Loopback only, ephemeral host port: as the original (spec §2.2); the address is read back after start.
        ...(publish ? { PortBindings: { [portKey]: [{ HostIp: "127.0.0.1", HostPort: "" }] } } : {}),
        ...(spec.readOnlyFiles && spec.readOnlyFiles.length > 0 ? { Binds: spec.readOnlyFiles.map(readOnlyBind) } : {}),
      },
    };
    const container = await api.createContainer(options);
    const tracked = this.track(container.id);
    tracked.name = name;
    tracked.labels = { ...options.Labels };
    tracked.startedHere = true;
    try {
      await container.start();
    } catch (error) {
      this.tracked.delete(container.id);
      await container.remove({ force: true, v: true }).catch(() => {});
      if (isDaemonUnreachable(error)) throw error;
      throw new SchedulerError(
        `container "${spec.name}" from image "${spec.image}" could not start: ${dockerErrorMessage(error)}`,
        { cause: error },
      );
    }
    this.watchExit(tracked);
    if (signal?.aborted || this.closing) {
      // Given up on (or the engine closed) while starting: nobody would ever stop this container, so do it now.
      await this.stop(container.id, 0).catch(() => {});
      if (signal?.aborted) throw signal.reason ?? new Error(`start of "${spec.name}" aborted`);
      throw new SchedulerError(`the docker engine closed while "${spec.name}" was starting`);
    }
    if (publish && portKey) address = await this.publishedAddress(container, portKey, spec.name);
    logger.debug("container started", { id: container.id, name: spec.name, image: spec.image, network, address });
    return address ? { id: container.id, address } : { id: container.id };
  }

  wait(id: string): Promise<ExitStatus> {
    return this.watchExit(this.track(id));
  }

  async stop(id: string, timeoutMs: number): Promise<void> {
    const tracked = this.track(id);
    if (tracked.status) return;
    const exited = this.watchExit(tracked).then(
      () => true,
      () => true,
    );
    if (timeoutMs > 0) {
      await this.signalContainer(tracked, "SIGTERM", tracked.stopReason ?? "stopped");
      const timer = new AbortController();
      const timedOut = await Promise.race([
        exited.then(() => false),
        this.options.clock.sleep(timeoutMs, timer.signal).then(
          () => true,
          () => false,
        ),
      ]);
      timer.abort();
      if (!timedOut || tracked.status) return;
    }
    await this.signalContainer(tracked, "SIGKILL", timeoutMs > 0 ? `killed after ${timeoutMs} ms` : "killed");
    await exited;
  }

  async *logs(id: string, signal?: AbortSignal): AsyncIterable<string> {
    const tracked = this.track(id);
    const abort = signal ? AbortSignal.any([signal, this.lifetime.signal]) : this.lifetime.signal;
    if (abort.aborted) return;
    tracked.readers += 1;
    let stream: NodeJS.ReadableStream | undefined;
    try {
      try {
        stream = await this.options.api
          .getContainer(id)
          .logs({ follow: true, stdout: true, stderr: true, abortSignal: abort });
      } catch (error) {
        if (abort.aborted) return;
        throw this.failure(`could not read the output of container ${id}`, error);
      }
      try {
        for await (const line of dockerLogLines(stream as AsyncIterable<Buffer | string>)) yield line;
      } catch (error) {
        if (abort.aborted) return;
        throw this.failure(`the output of container ${id} broke off`, error);
      }
    } finally {
      tracked.readers -= 1;
      (stream as { destroy?: () => void } | undefined)?.destroy?.();
    }
  }

  async inspect(id: string): Promise<ContainerState> {
    let info: DockerContainerInspect;
    try {
      info = await this.options.api.getContainer(id).inspect();
    } catch (error) {
      if (isNotFound(error)) return { state: "unknown", id };
      throw this.failure(`could not inspect container ${id}`, error);
    }
    const tracked = this.track(id);
    tracked.labels = { ...(info.Config.Labels ?? {}) };
    return toContainerState(id, info);
  }

  async list(labels: Record<string, string>): Promise<ContainerState[]> {
    let found: Awaited<ReturnType<DockerApi["listContainers"]>>;
    try {
      found = await this.options.api.listContainers({
        all: true,
        filters: JSON.stringify({
          label: Object.entries({ ...labels, ...this.instanceLabels() }).map(([key, value]) => `${key}=${value}`),
        }),
      });
    } catch (error) {
      throw this.failure("could not list containers", error);
    }
    const states = await Promise.all(found.map((summary) => this.inspect(summary.Id)));
    return states.filter((state) => state.state !== "unknown");
  }

  async remove(id: string): Promise<void> {
    try {
      await this.options.api.getContainer(id).remove({ v: true });
    } catch (error) {
      if (isNotFound(error)) {
        this.tracked.delete(id);
        return;
      }
      // Still running: only exited containers are forgotten (as the process engine).
      if (dockerStatusCode(error) === 409) return;
      throw this.failure(`could not remove container ${id}`, error);
    }
    this.tracked.delete(id);
  }

  close(timeoutMs: number): Promise<void> {
    this.closing ??= (async () => {
      const startedMs = this.options.clock.now().getTime();
      this.pruner?.stop.abort();
      await this.pruner?.done;
      const running = [...this.tracked.values()].filter((t) => t.startedHere && !t.status);
      const results = await Promise.allSettled(running.map((t) => this.stop(t.id, timeoutMs)));
      const failed = results.flatMap((r, i) =>
        r.status === "rejected" ? [`${running[i]?.name}: ${errorMessage(r.reason)}`] : [],
      );
      if (failed.length > 0) this.options.logger.warn("some containers could not be stopped", { failed });
      this.lifetime.abort(new Error("docker engine closed"));
      this.options.logger.debug("docker engine closed", {
        stopped: running.length - failed.length,
        durationMs: this.options.clock.now().getTime() - startedMs,
      });
    })();
    return this.closing;
  }

  /** The daemon-wide name of a container: scoped to this server's instance when it has one. */
  containerName(name: string): string {
    return this.options.instanceId ? `gofer-${this.options.instanceId}-${name}` : name;
  }

  private instanceLabels(): Record<string, string> {
    return this.options.instanceId ? { [INSTANCE_LABEL]: this.options.instanceId } : {};
  }

  /**
   * Stops and removes the trigger and extension containers that an earlier run of this server (same instance id) left
   * running, e.g. after a kill -9: the new run starts its own. Task containers are left for orphan repair, which
   * follows them to their end. Returns how many were removed; without an instance id it does nothing.
   */
  async reapOrphans(): Promise<number> {
    const { instanceId } = this.options;
    if (!instanceId) return 0;
    let removed = 0;
    for (const kind of ["trigger", "extension"]) {
      const found = await this.options.api.listContainers({
        all: true,
        filters: JSON.stringify({ label: [`${INSTANCE_LABEL}=${instanceId}`, `gofer.kind=${kind}`] }),
      });
      for (const summary of found) {
        if (this.tracked.get(summary.Id)?.startedHere) continue;
        try {
          await this.options.api.getContainer(summary.Id).remove({ force: true, v: true });
          removed += 1;
        } catch (error) {
          if (!isNotFound(error) && dockerStatusCode(error) !== 409) throw this.failure("could not remove", error);
        }
      }
    }
    if (removed > 0) this.options.logger.info("removed containers an earlier run of this server left", { removed });
    return removed;
  }

  /** The engine still follows the container (its exit is not yet known, or someone reads its output). */
  private inUse(id: string): boolean {
    const tracked = this.tracked.get(id);
    return tracked !== undefined && (tracked.status === undefined || tracked.readers > 0);
  }

  private track(id: string): Tracked {
    let tracked = this.tracked.get(id);
    if (!tracked) {
      tracked = {
        id,
        name: undefined,
        labels: {},
        startedHere: false,
        exit: undefined,
        status: undefined,
        stopReason: undefined,
        readers: 0,
      };
      this.tracked.set(id, tracked);
    }
    return tracked;
  }

  /** The shared wait of a container; a failed wait is forgotten so the next caller tries again. */
  private watchExit(tracked: Tracked): Promise<ExitStatus> {
    if (!tracked.exit) {
      const exit = this.waitForExit(tracked);
      tracked.exit = exit;
      exit.catch(() => {
        if (tracked.exit === exit) tracked.exit = undefined;
      });
    }
    return tracked.exit;
  }

  private async waitForExit(tracked: Tracked): Promise<ExitStatus> {
    const container = this.options.api.getContainer(tracked.id);
    let exitCode: number | null = null;
    for (let attempt = 1; ; attempt++) {
      try {
        exitCode = (await container.wait({ abortSignal: this.lifetime.signal })).StatusCode;
        break;
      } catch (error) {
        if (isNotFound(error)) {
          return this.exited(tracked, { exitCode: null, reason: tracked.stopReason ?? "the container was removed" });
        }
        if (this.lifetime.signal.aborted || !isDaemonUnreachable(error) || attempt >= this.retry.attempts) {
          throw this.failure(`could not wait for container ${tracked.name ?? tracked.id}`, error);
        }
        await this.options.clock.sleep(this.retry.delayMs * 2 ** (attempt - 1), this.lifetime.signal);
      }
    }
    let reason = tracked.stopReason;
    try {
      const { State } = await container.inspect();
      if (State.StartedAt === NEVER_STARTED) {
        exitCode = null;
        reason ??= "the container never started";
      } else if (State.OOMKilled) {
        reason ??= "killed: out of memory";
      } else if (State.Error) {
        reason ??= State.Error;
      }
    } catch {
      // removed right after it exited: the wait's exit code is all there is
    }
    return this.exited(tracked, { exitCode, ...(reason ? { reason } : {}) });
  }

  private exited(tracked: Tracked, status: ExitStatus): ExitStatus {
    tracked.status = status;
    // Remember a bounded number of exited containers; a forgotten one is asked of the daemon again.
    const keep = this.options.keepExited ?? 1_000;
    let exitedCount = 0;
    for (const t of this.tracked.values()) if (t.status) exitedCount += 1;
    for (const t of this.tracked.values()) {
      if (exitedCount <= keep) break;
      if (t.status && t.readers === 0 && t !== tracked) {
        this.tracked.delete(t.id);
        exitedCount -= 1;
      }
    }
    return status;
  }

  /**
   * A container of that name is force-removed first, as the original; an id prefix that matches is not a name. With an
   * instance id, only a container labelled with it is: another one of that name was not created by this server and is
   * left alone (the start then fails with the daemon's name conflict).
   */
  private async removeStale(name: string): Promise<void> {
    const { api } = this.options;
    let info: DockerContainerInspect;
    try {
      info = await api.getContainer(name).inspect();
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    if (info.Name !== `/${name}`) return;
    const { instanceId } = this.options;
    if (instanceId && info.Config.Labels?.[INSTANCE_LABEL] !== instanceId) {
      throw new SchedulerError(
        `a container named "${name}" exists that this server (instance ${instanceId}) did not create; it is left alone`,
      );
    }
    const previous = this.tracked.get(info.Id);
    if (previous && !previous.status) previous.stopReason ??= `replaced by a new container named "${name}"`;
    this.options.logger.info("removing a stale container of the same name", { name, id: info.Id });
    try {
      await api.getContainer(info.Id).remove({ force: true, v: true });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  private async publishedAddress(container: DockerContainer, portKey: string, name: string): Promise<string> {
    const info = await container.inspect();
    const bindings = info.NetworkSettings?.Ports?.[portKey] ?? [];
    const binding = bindings.find((b) => b.HostIp === "127.0.0.1") ?? bindings[0];
    if (!binding?.HostPort) {
      await this.stop(container.id, 0).catch(() => {});
      throw new SchedulerError(`container "${name}" started but the daemon published no host port for ${portKey}`);
    }
    return `127.0.0.1:${binding.HostPort}`;
  }

  /**
   * Sends a signal; a container that is not running (409) or gone (404) needs none. The reason is set before the
   * signal goes out, so an exit it causes at once already carries it, and taken back if the signal was not delivered.
   */
  private async signalContainer(tracked: Tracked, signal: "SIGTERM" | "SIGKILL", reason: string): Promise<void> {
    const previous = tracked.stopReason;
    tracked.stopReason = reason;
    try {
      await this.options.api.getContainer(tracked.id).kill({ signal });
    } catch (error) {
      if (!tracked.status) tracked.stopReason = previous;
      const code = dockerStatusCode(error);
      if (code === 404 || code === 409 || code === 304) return;
      throw this.failure(`could not send ${signal} to container ${tracked.name ?? tracked.id}`, error);
    }
  }

  private describe(error: unknown): string {
    return isDaemonUnreachable(error) ? describeUnreachable(error, this.daemonAddress) : dockerErrorMessage(error);
  }

  private failure(what: string, error: unknown): SchedulerError {
    if (error instanceof SchedulerError) return error;
    return new SchedulerError(`${what}: ${this.describe(error)}`, { cause: error });
  }
}

function toContainerState(id: string, info: DockerContainerInspect): ContainerState {
  const labels = { ...(info.Config.Labels ?? {}) };
  if (RUNNING_STATES.has(info.State.Status)) return { state: "running", id, labels };
  const neverStarted = info.State.Status === "created" || info.State.StartedAt === NEVER_STARTED;
  return { state: "exited", id, labels, exitCode: neverStarted ? null : info.State.ExitCode };
}

/** "path:path:ro" with the path made absolute: Docker takes only absolute host and container paths. */
export function readOnlyBind(path: string): string {
  const absolute = resolvePath(path);
  return `${absolute}:${absolute}:ro`;
}
