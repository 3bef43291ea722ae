// The containers the docker engine follows, and their exits.
// wait: one long-polling `wait` per container, shared by every caller; the exit code, and why it ended when we know
//   (stopped, killed after N ms, out of memory, never started). A failed wait is forgotten so the next caller tries
//   again; while the daemon is unreachable it is re-polled a few times with backoff.
// stop: SIGTERM, then SIGKILL once timeoutMs has passed on the injected clock (ms-exact, unlike the daemon's whole
//   seconds). Busybox or any program without a SIGTERM handler as PID 1 ignores SIGTERM, so it is killed at the timeout.
// A bounded number of exited containers is remembered for wait()/stop() reasons; a forgotten one is asked again.
import type { Clock } from "@gofer/kernel";
import type { DockerApi } from "./docker-api.js";
import {
  describeUnreachable,
  dockerErrorMessage,
  dockerStatusCode,
  isDaemonUnreachable,
  isNotFound,
} from "./docker-error.js";
import { type ExitStatus, SchedulerError } from "./scheduler.js";

export interface RetryPolicy {
  readonly attempts: number;
  /** Delay before the second attempt; doubles after each further one. */
  readonly delayMs: number;
}

export interface TrackedContainer {
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

export const NEVER_STARTED = "0001-01-01T00:00:00Z";

export interface DockerContainersOptions {
  readonly api: DockerApi;
  readonly clock: Clock;
  readonly retry: RetryPolicy;
  readonly daemonAddress: string;
  /** Aborted when the engine closes: ends every pending wait. */
  readonly lifetime: AbortSignal;
  readonly keepExited: number;
}

export class DockerContainers {
  private readonly tracked = new Map<string, TrackedContainer>();

  constructor(private readonly options: DockerContainersOptions) {}

  get(id: string): TrackedContainer | undefined {
    return this.tracked.get(id);
  }

  forget(id: string): void {
    this.tracked.delete(id);
  }

  all(): TrackedContainer[] {
    return [...this.tracked.values()];
  }

  track(id: string): TrackedContainer {
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

  /** The engine still follows the container (its exit is not yet known, or someone reads its output). */
  inUse(id: string): boolean {
    const tracked = this.tracked.get(id);
    return tracked !== undefined && (tracked.status === undefined || tracked.readers > 0);
  }

  /** The shared wait of a container; a failed wait is forgotten so the next caller tries again. */
  watchExit(tracked: TrackedContainer): Promise<ExitStatus> {
    if (!tracked.exit) {
      const exit = this.waitForExit(tracked);
      tracked.exit = exit;
      exit.catch(() => {
        if (tracked.exit === exit) tracked.exit = undefined;
      });
    }
    return tracked.exit;
  }

  async stop(id: string, timeoutMs: number): Promise<void> {
    const tracked = this.track(id);
    if (tracked.status) return;
    const exited = this.watchExit(tracked).then(
      () => true,
      () => true,
    );
    if (timeoutMs > 0) {
      await this.signal(tracked, "SIGTERM", tracked.stopReason ?? "stopped");
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
    await this.signal(tracked, "SIGKILL", timeoutMs > 0 ? `killed after ${timeoutMs} ms` : "killed");
    await exited;
  }

  /** A SchedulerError naming what failed and why (the daemon's sentence, or that it is unreachable). */
  failure(what: string, error: unknown): SchedulerError {
    if (error instanceof SchedulerError) return error;
    return new SchedulerError(`${what}: ${this.describe(error)}`, { cause: error });
  }

  describe(error: unknown): string {
    return isDaemonUnreachable(error)
      ? describeUnreachable(error, this.options.daemonAddress)
      : dockerErrorMessage(error);
  }

  private async waitForExit(tracked: TrackedContainer): Promise<ExitStatus> {
    const { api, clock, retry, lifetime } = this.options;
    const container = api.getContainer(tracked.id);
    let exitCode: number | null = null;
    for (let attempt = 1; ; attempt++) {
      try {
        exitCode = (await container.wait({ abortSignal: lifetime })).StatusCode;
        break;
      } catch (error) {
        if (isNotFound(error)) {
          return this.exited(tracked, { exitCode: null, reason: tracked.stopReason ?? "the container was removed" });
        }
        if (lifetime.aborted || !isDaemonUnreachable(error) || attempt >= retry.attempts) {
          throw this.failure(`could not wait for container ${tracked.name ?? tracked.id}`, error);
        }
        await clock.sleep(retry.delayMs * 2 ** (attempt - 1), lifetime);
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

  private exited(tracked: TrackedContainer, status: ExitStatus): ExitStatus {
    tracked.status = status;
    // Remember a bounded number of exited containers; a forgotten one is asked of the daemon again.
    const keep = this.options.keepExited;
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
   * Sends a signal; a container that is not running (409) or gone (404) needs none. The reason is set before the
   * signal goes out, so an exit it causes at once already carries it, and taken back if the signal was not delivered.
   */
  private async signal(tracked: TrackedContainer, signal: "SIGTERM" | "SIGKILL", reason: string): Promise<void> {
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
}
