// Fires one subscription's events at the times its schedule names, on the trigger's shared timer queue: one heap
// entry per subscription, pointing at the next time, instead of a timer or a once-a-minute poll.
//
// States: WAITING (in the timer queue for its next time, atMs) → EMITTING (event queued, maybe waiting for room) →
// WAITING for the next time, or → ENDED when the subscription's signal aborts (unsubscribe, re-subscribe, shutdown),
// the event could not be queued, or no future time exists. An aborted subscription's timer entry is dropped by the queue.
//
// Each named time fires at most once: the next time is always computed strictly after the last scheduled one (never
// from "now"), so a late timer, a clock set back, or a slow emit cannot repeat a time. A time reached more than
// MISSED_TIME_GRACE_MS late (the process was suspended, the clock jumped forward, Gofer stopped taking events) is
// skipped and logged rather than fired late, as the original's once-a-minute check would have missed it too.
import type { Clock, Logger, Subscription, TimerQueue } from "@gofer/trigger-sdk";
import { formatSubscriptionKey, TimerEntry } from "@gofer/trigger-sdk";
import { cronEvent } from "./cron-event.js";
import type { CronSchedule } from "./cron-schedule.js";
import { nextFireTime } from "./next-fire-time.js";

export const MISSED_TIME_GRACE_MS = 60_000;

/** What every subscription shares: one of each per trigger. */
export interface CronRuntime {
  readonly clock: Clock;
  readonly timers: TimerQueue;
  readonly logger: Logger;
}

export class CronSubscription extends TimerEntry {
  constructor(
    private readonly subscription: Subscription,
    private readonly schedule: CronSchedule,
    private readonly runtime: CronRuntime,
  ) {
    super();
  }

  get cancelled(): boolean {
    return this.subscription.aborted;
  }

  /** Waits for the first named time after now. */
  start(): void {
    this.waitAfter(this.runtime.clock.now().getTime());
  }

  private waitAfter(afterMs: number): void {
    if (this.subscription.aborted) return;
    const next = nextFireTime(this.schedule, new Date(afterMs));
    if (next === null) {
      this.runtime.logger.info("cron expression names no later time; the subscription will not fire again", {
        subscription: this.name(),
        expression: this.schedule.expression,
        after: new Date(afterMs).toISOString(),
      });
      return;
    }
    this.runtime.timers.add(this, next.getTime());
  }

  /** Called by the timer queue when the next time is due (the object itself is the timer entry: no closure). */
  fire(): void {
    this.emitDue().catch((error: unknown) =>
      this.runtime.logger.error("cron subscription stopped by an unexpected error", {
        subscription: this.name(),
        error: String(error),
      }),
    );
  }

  private async emitDue(): Promise<void> {
    const scheduledMs = this.atMs; // the time this entry was added for
    const nowMs = this.runtime.clock.now().getTime();
    if (nowMs - scheduledMs > MISSED_TIME_GRACE_MS) {
      const resumeAfterMs = nowMs - MISSED_TIME_GRACE_MS;
      this.runtime.logger.warn("cron times missed by more than the grace period were skipped", {
        subscription: this.name(),
        expression: this.schedule.expression,
        from: new Date(scheduledMs).toISOString(),
        to: new Date(resumeAfterMs).toISOString(),
        graceMs: MISSED_TIME_GRACE_MS,
      });
      this.waitAfter(resumeAfterMs);
      return;
    }
    const queued = await this.subscription.emit(cronEvent(this.schedule.expression, new Date(scheduledMs)));
    if (queued) this.waitAfter(scheduledMs);
  }

  private name(): string {
    return formatSubscriptionKey(this.subscription.key);
  }
}
