// The server's start and stop as one ordered list of named steps (server.ts). A step starts when it is reached,
// timed in the log; at shutdown the stops of the steps that started run in reverse order, each timed too, a failure
// logged and passed over. The whole stop fits in shutdown_timeout: a stop with a mark (`by`, a fraction of the budget)
// may run until then and is left behind after (what it was stopping is killed when the engine closes); a stop may
// also hand marks of its own to what it calls (`Stopping.until`).
import type { Clock } from "@gofer/kernel";
import type { Logger } from "winston";
import { errorMessage } from "./errors.js";

/** What a stop is given: why the server stops, and the budget left until a mark. */
export interface Stopping {
  readonly reason: string;
  /** Milliseconds left until this fraction of the shutdown budget has passed (0 once it has). */
  until(fraction: number): number;
}

export interface StopStep<T> {
  /** What is done once it ran, as logged ("api closed"). */
  name: string;
  /** Fraction of the shutdown budget by which it must be done; without it, it runs to its end. */
  by?: number;
  run(value: T, stopping: Stopping): unknown;
  /** Runs when the stop was cut short at its mark. */
  onLate?(value: T): void;
}

interface Started {
  name: string;
  by: number | undefined;
  run(stopping: Stopping): unknown;
  onLate(): void;
}

export interface LifecycleOptions {
  clock: Clock;
  logger: Logger;
  shutdownTimeoutMs: number;
}

export class Lifecycle {
  private readonly started: Started[] = [];
  private stopping: Promise<void> | undefined;

  constructor(private readonly options: LifecycleOptions) {}

  /** Runs a start step now; its stop, if any, runs at shutdown before the stops of the steps started earlier. */
  async step<T>(name: string, start: () => T | Promise<T>, stop?: StopStep<T>): Promise<T> {
    const { clock, logger } = this.options;
    const t0 = clock.now().getTime();
    const value = await start();
    logger.info(`start: ${name}`, { step: name, ms: clock.now().getTime() - t0 });
    if (stop) {
      this.started.push({
        name: stop.name,
        by: stop.by,
        run: (stopping) => stop.run(value, stopping),
        onLate: () => stop.onLate?.(value),
      });
    }
    return value;
  }

  /** Runs the stops of the started steps in reverse order, once; later calls get the same promise. */
  stop(reason: string): Promise<void> {
    this.stopping ??= this.stopAll(reason);
    return this.stopping;
  }

  private async stopAll(reason: string): Promise<void> {
    const { clock, logger, shutdownTimeoutMs } = this.options;
    const stopStarted = clock.now().getTime();
    const stopping: Stopping = {
      reason,
      until: (fraction) => Math.max(0, stopStarted + shutdownTimeoutMs * fraction - clock.now().getTime()),
    };
    for (const step of [...this.started].reverse()) {
      const t0 = clock.now().getTime();
      try {
        if (step.by === undefined) await step.run(stopping);
        else await this.within(step, stopping.until(step.by), stopping);
      } catch (error) {
        logger.error(`shutdown step failed: ${step.name}`, { step: step.name, error: errorMessage(error) });
      }
      logger.info(`shutdown: ${step.name}`, { step: step.name, ms: clock.now().getTime() - t0 });
    }
  }

  private async within(step: Started, ms: number, stopping: Stopping): Promise<void> {
    const timer = new AbortController();
    let late: boolean;
    try {
      late = await Promise.race([
        Promise.resolve(step.run(stopping)).then(() => false),
        this.options.clock.sleep(ms, timer.signal).then(
          () => true,
          () => false,
        ),
      ]);
    } finally {
      timer.abort();
    }
    if (late) {
      this.options.logger.warn(`shutdown: ${step.name} cut short to stay within shutdown_timeout`, {
        afterMs: ms,
        budgetMs: this.options.shutdownTimeoutMs,
      });
      step.onLate();
    }
  }
}
