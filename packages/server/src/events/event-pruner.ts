// Removes events older than event_log_retention, every event_prune_interval, until stopped.
import type { Clock } from "@gofer/kernel";
import type { Logger } from "winston";
import { errorMessage } from "../errors.js";

export interface EventPrunerOptions {
  deleteBefore: (emittedBeforeMs: number) => Promise<number>;
  retentionMs: number;
  intervalMs: number;
  clock: Clock;
  logger: Logger;
}

export async function runEventPruner(options: EventPrunerOptions, signal: AbortSignal): Promise<void> {
  const { clock, logger } = options;
  while (!signal.aborted) {
    try {
      const removed = await options.deleteBefore(clock.now().getTime() - options.retentionMs);
      if (removed > 0) logger.info("pruned old events", { removed, retentionMs: options.retentionMs });
    } catch (error) {
      logger.error("event pruning failed", { error: errorMessage(error) });
    }
    await clock.sleep(options.intervalMs, signal).catch(() => {});
  }
}
