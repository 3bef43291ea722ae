// The docker engine: runs trigger, installer and task containers on a Docker daemon (spec §2.2, §2.8, §5.2).
//
// start(spec): remove a stale container of the same name (force, as the original) → make sure the image is there
//   (docker-image.ts: local image as is, pull when missing, alwaysPull falls back to a local image) → create
//   (docker-container-spec.ts: networking, published ports, read-only files, labels) → start.
// wait and stop: docker-containers.ts follows each container's exit and stops it (SIGTERM, then SIGKILL).
// logs: the daemon's log stream (json-file keeps it) from the beginning, demultiplexed into lines, following until the
//   container exits; any number of readers, each with its own stream.
// Many servers, one daemon: with an instanceId (each server's own, kept in its database) every container name is
//   prefixed "gofer-<instanceId>-" and every container labelled gofer.instance=<instanceId>; list(), pruning and the
//   stale-name removal see only this server's containers, so a server never removes one it did not create.
//   reapOrphans() (at start) stops the trigger and extension containers an earlier run of this same server left.
// An unreachable daemon is a SchedulerError that says so; start() retries it a few times with backoff before giving up
// (triggers then retry again through their supervisor). Nothing here throws outside a returned promise.
import { setMaxListeners } from "node:events";
import type { Clock } from "@gofer/kernel";
import type { Logger } from "winston";
import type { DockerNetwork } from "../config/config.js";
import { errorMessage } from "../errors.js";
import {
  type DockerApi,
  type DockerContainer,
  type DockerContainerInspect,
  defaultDockerAddress,
} from "./docker-api.js";
import { dockerContainerPlan } from "./docker-container-spec.js";
import { DockerContainers, NEVER_STARTED, type RetryPolicy } from "./docker-containers.js";
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

const RUNNING_STATES = new Set(["running", "paused", "restarting"]);

export class DockerScheduler implements Scheduler {
  readonly engine = "docker" as const;
  private readonly containers: DockerContainers;
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
    this.containers = new DockerContainers({
      api: options.api,
      clock: options.clock,
      retry: this.retry,
      daemonAddress: this.daemonAddress,
      lifetime: this.lifetime.signal,
      keepExited: options.keepExited ?? 1_000,
    });
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
        inUse: (id) => this.containers.inUse(id),
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

    const plan = await dockerContainerPlan(spec, {
      name,
      network: this.options.network,
      instanceLabels: this.instanceLabels(),
      freePort: freeLoopbackPort,
    });
    const { options, network, publishedPort } = plan;
    let address = plan.address;
    const container = await api.createContainer(options);
    const tracked = this.containers.track(container.id);
    tracked.name = name;
    tracked.labels = { ...options.Labels };
    tracked.startedHere = true;
    try {
      await container.start();
    } catch (error) {
      this.containers.forget(container.id);
      await container.remove({ force: true, v: true }).catch(() => {});
      if (isDaemonUnreachable(error)) throw error;
      throw new SchedulerError(
        `container "${spec.name}" from image "${spec.image}" could not start: ${dockerErrorMessage(error)}`,
        { cause: error },
      );
    }
    this.containers.watchExit(tracked);
    if (signal?.aborted || this.closing) {
      // Given up on (or the engine closed) while starting: nobody would ever stop this container, so do it now.
      await this.stop(container.id, 0).catch(() => {});
      if (signal?.aborted) throw signal.reason ?? new Error(`start of "${spec.name}" aborted`);
      throw new SchedulerError(`the docker engine closed while "${spec.name}" was starting`);
    }
    if (publishedPort) address = await this.publishedAddress(container, publishedPort, spec.name);
    logger.debug("container started", { id: container.id, name: spec.name, image: spec.image, network, address });
    return address ? { id: container.id, address } : { id: container.id };
  }

  wait(id: string): Promise<ExitStatus> {
    return this.containers.watchExit(this.containers.track(id));
  }

  stop(id: string, timeoutMs: number): Promise<void> {
    return this.containers.stop(id, timeoutMs);
  }

  async *logs(id: string, signal?: AbortSignal): AsyncIterable<string> {
    const tracked = this.containers.track(id);
    const abort = signal ? AbortSignal.any([signal, this.lifetime.signal]) : this.lifetime.signal;
    if (abort.aborted) return;
    tracked.readers += 1;
    try {
      let lines = 0;
      for await (const line of this.follow(id, abort)) {
        lines += 1;
        yield line;
      }
      // Docker can end the follow of a container that exits at once before its output is copied (seen in CI as an
      // installer with no output). A follow ends only once the container has exited: a second read has all of it.
      if (lines === 0 && !abort.aborted) yield* this.follow(id, abort);
    } finally {
      tracked.readers -= 1;
    }
  }

  private async *follow(id: string, abort: AbortSignal): AsyncIterable<string> {
    let stream: NodeJS.ReadableStream;
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
    } finally {
      (stream as { destroy?: () => void }).destroy?.();
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
    const tracked = this.containers.track(id);
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
        this.containers.forget(id);
        return;
      }
      // Still running: only exited containers are forgotten (as the process engine).
      if (dockerStatusCode(error) === 409) return;
      throw this.failure(`could not remove container ${id}`, error);
    }
    this.containers.forget(id);
  }

  close(timeoutMs: number): Promise<void> {
    this.closing ??= (async () => {
      const startedMs = this.options.clock.now().getTime();
      this.pruner?.stop.abort();
      await this.pruner?.done;
      const running = this.containers.all().filter((t) => t.startedHere && !t.status);
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
        if (this.containers.get(summary.Id)?.startedHere) continue;
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
    const previous = this.containers.get(info.Id);
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

  private describe(error: unknown): string {
    return this.containers.describe(error);
  }

  private failure(what: string, error: unknown): SchedulerError {
    return this.containers.failure(what, error);
  }
}

function toContainerState(id: string, info: DockerContainerInspect): ContainerState {
  const labels = { ...(info.Config.Labels ?? {}) };
  if (RUNNING_STATES.has(info.State.Status)) return { state: "running", id, labels };
  const neverStarted = info.State.Status === "created" || info.State.StartedAt === NEVER_STARTED;
  return { state: "exited", id, labels, exitCode: neverStarted ? null : info.State.ExitCode };
}
