// The long-poll loop for one running trigger (spec §2.6, with its bugs fixed): exactly one Watch outstanding, with no
// deadline. Each event is handed to onEvent (which records it durably). An event that a parked Watch brought is
// recorded before the next Watch is asked for (latency); when Watch answers at once (a backlog), the next is asked for
// right away, so the trigger's side of the call overlaps the recording (throughput). At most `maxUnrecorded` events
// wait to be recorded (then the loop waits for the oldest), and the loop ends only once every event it took is. Each
// event goes with a hint: "more" when Watch answered at once (a backlog), so the recorder may hold it for the next few
// and commit them together (event-processor.ts).
//
// - Errors back off, bounded exponential with jitter; a success resets the backoff.
// - An event whose recording fails (the disk is full, the database is locked) is recorded again, with backoff, until
//   it is or the loop is stopped: the trigger has already handed it over, so dropping it would lose it. While
//   recordings fail, at most `maxUnrecorded` wait and no further Watch is asked for (the trigger keeps its own queue).
// - An empty response ("nothing happened", or a trigger whose queue is closed) re-Watches at once the first time, and
//   backs off when empties repeat, so a trigger that answers empty forever is never a hot loop (spec §7 #3).
// - The watcher knows nothing of storage: it converts the proto response to a FiredEvent at this edge, converting
//   the result enum by name (spec §7 #27).

import type { Clock } from "@gofer/kernel";
import { type TriggerWatchResponse, triggerWatchResponse_ResultToJSON } from "@gofer/proto";
import type { Logger } from "winston";
import { errorMessage } from "../errors.js";
import type { EventResultName, FiredEvent, FiredEventHint, RecordFiredEvent } from "../events/fired-event.js";
import { type BackoffPolicy, backoffDelayMs } from "./backoff.js";

export interface WatchSource {
  watch(signal: AbortSignal): Promise<TriggerWatchResponse>;
}

export interface WatcherOptions {
  triggerName: string;
  source: WatchSource;
  /** Told, with each event, whether more follow at once (a backlog), so it may record several in one commit. */
  onEvent: RecordFiredEvent;
  /** Told when Watch starts failing ("UNKNOWN") and when it works again ("RUNNING"). */
  onHealth?: (health: "RUNNING" | "UNKNOWN") => void;
  clock: Clock;
  logger: Logger;
  errorBackoff?: BackoffPolicy;
  emptyBackoff?: BackoffPolicy;
  /** Events taken but not yet recorded before the loop waits; default 16. */
  maxUnrecorded?: number;
  /** Between attempts to record an event whose recording failed. Default 250 ms doubling to 5 s. */
  recordBackoff?: BackoffPolicy;
}

export function toFiredEvent(triggerName: string, response: TriggerWatchResponse): FiredEvent {
  const result = triggerWatchResponse_ResultToJSON(response.result);
  return {
    triggerName,
    namespaceId: response.namespaceId,
    pipelineId: response.pipelineId,
    label: response.pipelineTriggerLabel,
    result: (["SUCCESS", "FAILURE", "SKIPPED"].includes(result) ? result : "UNKNOWN") as EventResultName,
    details: response.details,
    metadata: { ...response.metadata },
  };
}

/** A Watch that took at least this long waited for its event rather than finding one queued. */
const PARKED_MS = 2;
const MORE: FiredEventHint = { more: true };
const NO_MORE: FiredEventHint = { more: false };

export class Watcher {
  private readonly errorBackoff: BackoffPolicy;
  private readonly emptyBackoff: BackoffPolicy;
  private running: Promise<void> | undefined;
  private controller: AbortController | undefined;
  private finishing = false;
  /** Counters for logs and tests. */
  readonly stats = { watches: 0, events: 0, empties: 0, errors: 0, recordFailures: 0 };

  constructor(private readonly options: WatcherOptions) {
    this.errorBackoff = options.errorBackoff ?? { initialMs: 250, maxMs: 30_000 };
    this.emptyBackoff = options.emptyBackoff ?? { initialMs: 50, maxMs: 5_000 };
  }

  /** Starts the loop; it runs until stop() or signal. Returns the loop's promise (never rejects). */
  start(signal: AbortSignal): Promise<void> {
    if (this.running) return this.running;
    this.controller = new AbortController();
    const both = AbortSignal.any([signal, this.controller.signal]);
    this.running = this.loop(both);
    return this.running;
  }

  /**
   * Ends the loop after the outstanding Watch answers, without cancelling it: used while the trigger is asked to
   * Shutdown, which answers that Watch (empty, or with a last event that is then recorded).
   */
  finishAfterCurrent(): void {
    this.finishing = true;
  }

  /** Cancels the outstanding Watch and ends the loop. */
  async stop(): Promise<void> {
    this.controller?.abort(new Error("watcher stopped"));
    await this.running;
  }

  private async loop(signal: AbortSignal): Promise<void> {
    const unrecorded = new Set<Promise<void>>();
    try {
      await this.watchLoop(signal, unrecorded);
    } finally {
      await Promise.all(unrecorded);
    }
  }

  /** Records the event, again and again with backoff while that fails, until it is recorded or the loop stops. */
  private async record(event: FiredEvent, signal: AbortSignal, hint: FiredEventHint): Promise<void> {
    const { clock, logger, triggerName } = this.options;
    const backoff = this.options.recordBackoff ?? { initialMs: 250, maxMs: 5_000 };
    for (let attempt = 1; ; attempt++) {
      try {
        // A retry is recorded at once: nothing is known of what follows it.
        await this.options.onEvent(event, attempt === 1 ? hint : NO_MORE);
        if (attempt > 1) logger.info("trigger event recorded after retrying", { trigger: triggerName, attempt });
        return;
      } catch (error) {
        this.stats.recordFailures += 1;
        if (signal.aborted) {
          // The loop is stopping (the server shuts down): nothing can record it any more, which is said loudly.
          logger.error("could not record trigger event; it is lost", {
            trigger: triggerName,
            pipeline: `${event.namespaceId}/${event.pipelineId}`,
            label: event.label,
            error: errorMessage(error),
          });
          return;
        }
        const delayMs = backoffDelayMs(backoff, attempt);
        logger.error("could not record trigger event; retrying", {
          trigger: triggerName,
          error: errorMessage(error),
          attempt,
          retryInMs: delayMs,
        });
        await clock.sleep(delayMs, signal).catch(() => {});
      }
    }
  }

  private async watchLoop(signal: AbortSignal, unrecorded: Set<Promise<void>>): Promise<void> {
    const { clock, logger, triggerName } = this.options;
    const maxUnrecorded = Math.max(1, this.options.maxUnrecorded ?? 16);
    let failures = 0;
    let empties = 0;
    let healthy = true;
    while (!signal.aborted) {
      let response: TriggerWatchResponse;
      const askedAt = clock.now().getTime();
      try {
        this.stats.watches += 1;
        response = await this.options.source.watch(signal);
      } catch (error) {
        if (signal.aborted || this.finishing) break;
        failures += 1;
        this.stats.errors += 1;
        if (healthy) this.options.onHealth?.("UNKNOWN");
        healthy = false;
        const delayMs = backoffDelayMs(this.errorBackoff, failures);
        logger.warn("watch failed; retrying", {
          trigger: triggerName,
          error: errorMessage(error),
          attempt: failures,
          retryInMs: delayMs,
        });
        await clock.sleep(delayMs, signal).catch(() => {});
        continue;
      }
      failures = 0;
      if (!healthy) {
        healthy = true;
        this.options.onHealth?.("RUNNING");
      }
      if (response.pipelineTriggerLabel === "") {
        this.stats.empties += 1;
        if (this.finishing) break;
        empties += 1;
        if (empties > 1) await clock.sleep(backoffDelayMs(this.emptyBackoff, empties - 1), signal).catch(() => {});
        continue;
      }
      empties = 0;
      this.stats.events += 1;
      const parked = clock.now().getTime() - askedAt >= PARKED_MS;
      // A Watch answered at once means a backlog: the next event follows within a round trip, so this one may wait for
      // it and share its commit, as long as the bound below leaves room for that next one.
      const more = !parked && !this.finishing && unrecorded.size + 1 < maxUnrecorded;
      const recording = this.record(toFiredEvent(triggerName, response), signal, more ? MORE : NO_MORE);
      unrecorded.add(recording);
      void recording.then(() => unrecorded.delete(recording));
      if (this.finishing) break;
      if (unrecorded.size >= maxUnrecorded) await Promise.race(unrecorded);
      // A Watch that was parked (the trigger had nothing) brought a fresh event: give its recording, scheduled in this
      // turn, the event loop first, so asking for the next event never delays committing this one. A Watch answered
      // at once means a backlog: then the next is asked for right away, and the trigger's side overlaps the recording.
      if (parked) await new Promise((resolve) => setImmediate(resolve));
    }
  }
}
