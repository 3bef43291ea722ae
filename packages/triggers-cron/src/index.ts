// The public API of @gofer/triggers-cron.

export { cronEvent, SCHEDULED_TIME_KEY } from "./cron-event.js";
export { type ParseCronOptions, parseCron } from "./cron-expression.js";
export { CronExpressionError } from "./cron-expression-error.js";
export type { CronForm, CronSchedule, DayRule } from "./cron-schedule.js";
export { CronSubscription, MISSED_TIME_GRACE_MS } from "./cron-subscription.js";
export { CRON_DOCUMENTATION, createCronTrigger } from "./cron-trigger.js";
export { CRON_INSTRUCTIONS } from "./install-instructions.js";
export { nextFireTime } from "./next-fire-time.js";
export { TimeZone, TimeZoneError } from "./time-zone.js";
