// The cron trigger: each subscription names a schedule in EXPRESSION (see cron-expression.ts for the three forms) and,
// optionally, the IANA zone its wall times are read in, TIMEZONE (default UTC). Both are read under the bare key or
// prefixed GOFER_PLUGIN_PARAM_ (spec §7 #11). A bad setting fails Subscribe with a message naming it, which Gofer
// shows to the pipeline author.
import type { Subscription, TriggerContext, TriggerDefinition } from "@gofer/trigger-sdk";
import { parseCron } from "./cron-expression.js";
import type { CronSchedule } from "./cron-schedule.js";
import { CronSubscription } from "./cron-subscription.js";

export const CRON_DOCUMENTATION = "https://clintjedwards.com/gofer/ref/triggers/provided/cron.html";

/** Distinct (expression, zone) schedules kept for reuse; beyond this the cache starts over. */
const SCHEDULE_CACHE_LIMIT = 4096;

export function createCronTrigger(context: TriggerContext): TriggerDefinition {
  const runtime = { clock: context.clock, timers: context.timers, logger: context.logger };
  // Many pipelines share an expression ("0 3 * * *"); a parsed schedule is immutable, so they share one.
  const schedules = new Map<string, CronSchedule>();
  const scheduleOf = (subscription: Subscription): CronSchedule => {
    const expression = subscription.settings.require("EXPRESSION");
    const timezone = subscription.settings.get("TIMEZONE");
    const cacheKey = `${expression}\u0000${timezone ?? ""}`;
    const cached = schedules.get(cacheKey);
    if (cached) return cached;
    // An empty TIMEZONE is the same as none: pipeline configs often carry every key, set or not.
    const schedule = parseCron(expression, timezone === undefined || timezone === "" ? {} : { timezone });
    if (schedules.size >= SCHEDULE_CACHE_LIMIT) schedules.clear();
    schedules.set(cacheKey, schedule);
    return schedule;
  };
  return {
    documentation: CRON_DOCUMENTATION,
    subscribe(subscription) {
      new CronSubscription(subscription, scheduleOf(subscription), runtime).start();
    },
  };
}
