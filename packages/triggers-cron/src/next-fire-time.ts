// When a schedule fires next. Times are wall-clock times in the schedule's time zone (UTC unless TIMEZONE says
// otherwise), at second 0 for the 5- and 6-field forms and at the named second for the 7-field form.
//
// Daylight-saving rules, the same for every form:
// - A local time skipped by a spring-forward transition does not fire that day (`30 2 * * *` in Europe/Berlin
//   skips 02:30 on the last Sunday of March). Unlike Vixie cron and croner, there is no catch-up run after the gap.
// - A local time repeated by a fall-back transition fires once, at its first occurrence (`30 2 * * *` fires at
//   02:30 CEST, not again at 02:30 CET; `*/15 * * * *` runs through the repeated hour once, not twice).
// The original trigger compared time.Now() in the container's zone (UTC in the distroless image), so with the
// default UTC none of this applies and nothing changes for existing pipelines.
import type { CronSchedule } from "./cron-schedule.js";
import { nextMatchingWallTime } from "./wall-time-search.js";

/** The first time strictly after `after` that the schedule names, or null if there is none (e.g. a past year). */
export function nextFireTime(schedule: CronSchedule, after: Date): Date | null {
  const afterMs = after.getTime();
  if (Number.isNaN(afterMs)) throw new RangeError("nextFireTime: `after` is an invalid Date");
  const zone = schedule.timeZone;
  const step = schedule.resolutionMs;
  const startWallMs = zone.wallTimeAt(afterMs);
  const lastYear = schedule.lastYearToSearch(new Date(startWallMs).getUTCFullYear());
  // Strictly after: the first whole step past the wall time `after` reads as.
  let fromWallMs = startWallMs - mod(startWallMs, step) + step;
  for (;;) {
    const wallMs = nextMatchingWallTime(schedule, fromWallMs, lastYear);
    if (wallMs === null) return null;
    // [] in a spring-forward gap: skipped. [first, second] in a fall-back overlap: only the first counts, so when
    // the first is not after `after` (we are in the repeated hour), the time has already fired.
    const [first, second] = zone.instantsAt(wallMs);
    if (first !== undefined && first > afterMs) return new Date(first);
    fromWallMs = wallMs + step;
    // Every wall time left in the repeated range fired on the first pass too: skip to its end in one go rather than
    // step through up to 3,600 of them.
    if (second !== undefined) fromWallMs = Math.max(fromWallMs, ceilTo(zone.endOfRepetition(wallMs), step));
  }
}

function ceilTo(value: number, step: number): number {
  return value + mod(-value, step);
}

function mod(a: number, b: number): number {
  return ((a % b) + b) % b;
}
