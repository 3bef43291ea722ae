// Finds the next local calendar time a schedule names, field by field from the year down: a field that does not match
// moves to its next allowed value and resets the finer fields, and running off the end of a field carries into the
// coarser one (an out-of-range value such as hour 24 simply fails `allows` and carries). Time zones play no part here;
// next-fire-time.ts maps the result onto real instants.
import { daysInMonth } from "./calendar.js";
import type { CronSchedule } from "./cron-schedule.js";

/**
 * The first wall time (wall ms, see time-zone.ts) at or after `fromWallMs`, at whole seconds, that the schedule names,
 * or null if there is none up to the end of `lastYear`.
 */
export function nextMatchingWallTime(schedule: CronSchedule, fromWallMs: number, lastYear: number): number | null {
  const from = new Date(fromWallMs);
  let year = from.getUTCFullYear();
  let month = from.getUTCMonth() + 1;
  let day = from.getUTCDate();
  let hour = from.getUTCHours();
  let minute = from.getUTCMinutes();
  let second = from.getUTCSeconds() + (from.getUTCMilliseconds() > 0 ? 1 : 0);

  while (year <= lastYear) {
    if (!schedule.allows("year", year)) {
      const next = schedule.nextAllowed("year", year + 1);
      if (next === undefined) return null;
      [year, month, day, hour, minute, second] = [next, 1, 1, 0, 0, 0];
    } else if (!schedule.allows("month", month)) {
      const next = schedule.nextAllowed("month", month + 1);
      if (next === undefined) [year, month] = [year + 1, 1];
      else month = next;
      [day, hour, minute, second] = [1, 0, 0, 0];
    } else if (day > daysInMonth(year, month)) {
      [month, day, hour, minute, second] = [month + 1, 1, 0, 0, 0];
    } else if (!schedule.allowsDay(year, month, day)) {
      [day, hour, minute, second] = [day + 1, 0, 0, 0];
    } else if (!schedule.allows("hour", hour)) {
      const next = schedule.nextAllowed("hour", hour + 1);
      if (next === undefined) [day, hour] = [day + 1, 0];
      else hour = next;
      [minute, second] = [0, 0];
    } else if (!schedule.allows("minute", minute)) {
      const next = schedule.nextAllowed("minute", minute + 1);
      if (next === undefined) [hour, minute] = [hour + 1, 0];
      else minute = next;
      second = 0;
    } else if (!schedule.allows("second", second)) {
      const next = schedule.nextAllowed("second", second + 1);
      if (next === undefined) [minute, second] = [minute + 1, 0];
      else second = next;
    } else {
      return Date.UTC(year, month - 1, day, hour, minute, second);
    }
  }
  return null;
}
