// The interval trigger: fires each subscription every EVERY (a Go duration), no sooner than the install config
// MIN_DURATION allows (default 1m, as the original's code; its docs said 5m, spec §7 #26).
//
// Fire times are computed from the subscription's start (start + n × EVERY), so lateness never accumulates into drift.
// All subscriptions share one timer. While a subscription's previous event still waits for room in a full queue, a
// tick due in the meantime is coalesced into it instead of piling up behind it.
import {
  formatGoDuration,
  getConfig,
  type Instructions,
  instructions,
  parseGoDuration,
  type Subscription,
  TimerEntry,
  type TimerQueue,
  type TriggerContext,
  type TriggerDefinition,
} from "@gofer/trigger-sdk";

export const INTERVAL_DOCUMENTATION = "https://clintjedwards.com/gofer/ref/triggers/provided/interval.html";
export const DEFAULT_MIN_DURATION = "1m";
export const EVENT_DETAILS = "Triggered due to the passage of time.";

export function intervalInstructions(): Instructions {
  return instructions()
    .message(":: The interval trigger runs pipelines on a fixed schedule, e.g. every 5 minutes.")
    .message("Pipelines subscribe with the setting EVERY, a duration such as 30s, 5m or 1h30m.")
    .message("You can set a minimum duration so that no pipeline runs more often than you allow.")
    .query(
      "Set a minimum duration for all pipelines (a duration such as 1m; empty keeps the default of 1m)",
      "min_duration",
    )
    .build();
}

export class IntervalConfigError extends Error {
  override name = "IntervalConfigError";
}

/** Reads MIN_DURATION (GOFER_PLUGIN_CONFIG_MIN_DURATION or the bare name); an invalid value is a startup error. */
export function readMinDuration(env: NodeJS.ProcessEnv): bigint {
  const text = getConfig("min_duration", env) ?? DEFAULT_MIN_DURATION;
  let value: bigint;
  try {
    value = parseGoDuration(text);
  } catch {
    throw new IntervalConfigError(
      `install config MIN_DURATION = "${text}" is not a duration; use a Go duration such as "1m" or "30s"`,
    );
  }
  if (value <= 0n) throw new IntervalConfigError(`install config MIN_DURATION = "${text}" must be greater than zero`);
  return value;
}

/** Parses a subscription's EVERY setting against the minimum, naming the setting and the value in every error. */
export function parseEvery(subscription: Subscription, minDuration: bigint): bigint {
  const text = subscription.settings.require("every");
  let every: bigint;
  try {
    every = parseGoDuration(text.trim());
  } catch {
    throw new Error(`setting EVERY = "${text}" is not a duration; use a Go duration such as "5m", "1h30m" or "90s"`);
  }
  if (every < minDuration) {
    throw new Error(
      `setting EVERY = "${text}" is too short: durations cannot be less than ${formatGoDuration(minDuration)} (the trigger's MIN_DURATION)`,
    );
  }
  return every;
}

export interface IntervalStats {
  fired: number;
  /** Ticks folded into a previous event that was still waiting for room in the queue. */
  coalesced: number;
}

/** What every subscription's schedule shares: one per trigger. */
interface IntervalRuntime {
  readonly timers: TimerQueue;
  readonly stats: IntervalStats;
  /** Start times are kept as whole ms after this: a small integer is stored in place, an epoch time is boxed. */
  readonly epochMs: number;
}

/**
 * One subscription's schedule: fire n happens at startMs + n × everyMs. It is its own entry in the shared timer queue
 * (no closure, no second object per subscription).
 */
class IntervalSchedule extends TimerEntry {
  private n = 1;
  private waiting = false;
  private readonly startAfterEpochMs: number;

  constructor(
    private readonly subscription: Subscription,
    private readonly runtime: IntervalRuntime,
    startMs: number,
    private readonly everyMs: number,
  ) {
    super();
    this.startAfterEpochMs = startMs - runtime.epochMs;
    runtime.timers.add(this, startMs + everyMs);
  }

  /** Exact: both parts are whole ms far below 2^53. */
  private get startMs(): number {
    return this.runtime.epochMs + this.startAfterEpochMs;
  }

  get cancelled(): boolean {
    return this.subscription.aborted;
  }

  fire(): void {
    this.n += 1;
    this.runtime.timers.add(this, this.startMs + this.n * this.everyMs);
    if (this.waiting) {
      this.runtime.stats.coalesced += 1;
      return;
    }
    this.waiting = true;
    this.runtime.stats.fired += 1;
    // then() with the same callback both ways: finally() makes two more promises per event.
    const settled = () => {
      this.waiting = false;
    };
    void this.subscription.emit({ details: EVENT_DETAILS, metadata: {} }).then(settled, settled);
  }
}

export function createIntervalTrigger(context: TriggerContext): TriggerDefinition & { stats: IntervalStats } {
  const minDuration = readMinDuration(context.env);
  const stats: IntervalStats = { fired: 0, coalesced: 0 };
  const runtime: IntervalRuntime = { timers: context.timers, stats, epochMs: context.clock.now().getTime() };
  context.logger.info("interval trigger ready", { minDuration: formatGoDuration(minDuration) });

  return {
    documentation: INTERVAL_DOCUMENTATION,
    stats,
    subscribe(subscription) {
      const everyMs = Number(parseEvery(subscription, minDuration)) / 1e6;
      new IntervalSchedule(subscription, runtime, context.clock.now().getTime(), everyMs);
    },
  };
}
