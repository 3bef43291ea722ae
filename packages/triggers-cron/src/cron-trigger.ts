// The cron trigger: each subscription names a schedule in EXPRESSION (see cron-expression.ts for the three forms) and,
// optionally, the IANA zone its wall times are read in, TIMEZONE (default UTC). Both are read under the bare key or
// prefixed GOFER_PLUGIN_PARAM_ (spec §7 #11). A bad setting fails Subscribe with a message naming it, which Gofer
// shows to the pipeline author.
import type { Subscription, TriggerContext, TriggerDefinition } from "@gofer/trigger-sdk";
import { parseCron } from "./cron-expression.js";
import type { CronSchedule } from "./cron-schedule.js";
import { CronSubscription } from "./cron-subscription.js";

export const CRON_DOCUMENTATION = "https://clintjedwards.com/gofer/ref/triggers/provided/cron.html";

export function createCronTrigger(context: TriggerContext): TriggerDefinition {
  const runtime = { clock: context.clock, timers: context.timers, logger: context.logger };
  return {
    documentation: CRON_DOCUMENTATION,
    subscribe(subscription) {
      new CronSubscription(subscription, scheduleOf(subscription), runtime).start();
    },
  };
}

function scheduleOf(subscription: Subscription): CronSchedule {
  const expression = subscription.settings.require("EXPRESSION");
  const timezone = subscription.settings.get("TIMEZONE");
  // An empty TIMEZONE is the same as none: pipeline configs often carry every key, set or not.
  return parseCron(expression, timezone === undefined || timezone === "" ? {} : { timezone });
}
