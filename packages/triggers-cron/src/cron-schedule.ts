// A parsed cron expression: which seconds, minutes, hours, days, months and years it names, in which time zone.
// Membership is one bit per value (325 bits) packed into 11 small integers. A schedule then costs about 250 bytes with
// its expression, against 600 for a typed-array table: a trigger holds 10,000 of them within about 1 KB each.
import { dayOfWeek } from "./calendar.js";
import type { TimeZone } from "./time-zone.js";

/**
 * - original: the 6-field grammar of Gofer v0.4 (minute hour day-of-month month day-of-week year), spec §4.
 * - standard: 5-field standard cron (minute hour day-of-month month day-of-week).
 * - with-seconds: 7 fields, seconds first (second minute hour day-of-month month day-of-week year).
 */
export type CronForm = "original" | "standard" | "with-seconds";

/**
 * How day-of-month and day-of-week combine: "both" must match (the original grammar, and the new forms when either
 * field is `*`), or "either" may (the new forms when both are restricted, as in standard cron).
 */
export type DayRule = "both" | "either";

export type CronUnit = "second" | "minute" | "hour" | "dayOfMonth" | "month" | "dayOfWeek" | "year";

interface Slot {
  offset: number;
  min: number;
  max: number;
}

function slots(ranges: Record<CronUnit, [number, number]>): Record<CronUnit, Slot> {
  let offset = 0;
  const result = {} as Record<CronUnit, Slot>;
  for (const [unit, [min, max]] of Object.entries(ranges) as [CronUnit, [number, number]][]) {
    result[unit] = { offset, min, max };
    offset += max - min + 1;
  }
  return result;
}

const SLOTS = slots({
  second: [0, 59],
  minute: [0, 59],
  hour: [0, 23],
  dayOfMonth: [1, 31],
  month: [1, 12],
  dayOfWeek: [0, 6],
  year: [1970, 2100],
});
const BITS = SLOTS.year.offset + SLOTS.year.max - SLOTS.year.min + 1;
/** Bits per word: 30 keeps every word a V8 small integer. */
const WORD_BITS = 30;

/** Open-year schedules search this far ahead: the Gregorian calendar, weekdays included, repeats every 400 years. */
const OPEN_YEAR_HORIZON = 400;

export interface CronScheduleInit {
  expression: string;
  form: CronForm;
  timeZone: TimeZone;
  dayRule: DayRule;
  /** The values each field names; day-of-week 7 means Sunday. A missing year means every year. */
  values: Record<Exclude<CronUnit, "year">, readonly number[]> & { year?: readonly number[] };
}

export class CronSchedule {
  readonly expression: string;
  readonly form: CronForm;
  readonly timeZone: TimeZone;
  readonly dayRule: DayRule;
  /** The smallest step between two times it names: 1 s with a seconds field, 1 min without. */
  readonly resolutionMs: number;
  private readonly words: number[] = new Array(Math.ceil(BITS / WORD_BITS)).fill(0);
  private readonly everyYear: boolean;

  constructor(init: CronScheduleInit) {
    this.expression = init.expression;
    this.form = init.form;
    this.timeZone = init.timeZone;
    this.dayRule = init.dayRule;
    this.resolutionMs = init.form === "with-seconds" ? 1000 : 60_000;
    this.everyYear = init.values.year === undefined;
    for (const [unit, values] of Object.entries(init.values) as [CronUnit, readonly number[]][]) {
      const slot = SLOTS[unit];
      for (const value of values) this.set(slot.offset + (unit === "dayOfWeek" ? value % 7 : value) - slot.min);
    }
  }

  allows(unit: CronUnit, value: number): boolean {
    if (unit === "year" && this.everyYear) return true;
    const slot = SLOTS[unit];
    return value >= slot.min && value <= slot.max && this.has(slot.offset + value - slot.min);
  }

  /** The smallest allowed value at or above `from`, or undefined when there is none in the unit's range. */
  nextAllowed(unit: CronUnit, from: number): number | undefined {
    if (unit === "year" && this.everyYear) return from;
    const slot = SLOTS[unit];
    for (let value = Math.max(from, slot.min); value <= slot.max; value++) {
      if (this.has(slot.offset + value - slot.min)) return value;
    }
    return undefined;
  }

  /** Whether a calendar day matches day-of-month and day-of-week, combined by the day rule. */
  allowsDay(year: number, month: number, day: number): boolean {
    const byDayOfMonth = this.allows("dayOfMonth", day);
    if (this.dayRule === "both" && !byDayOfMonth) return false;
    const byDayOfWeek = this.allows("dayOfWeek", dayOfWeek(year, month, day));
    return this.dayRule === "both" ? byDayOfWeek : byDayOfMonth || byDayOfWeek;
  }

  private set(bit: number): void {
    const word = Math.floor(bit / WORD_BITS);
    this.words[word] = (this.words[word] as number) | (1 << (bit % WORD_BITS));
  }

  private has(bit: number): boolean {
    return (((this.words[Math.floor(bit / WORD_BITS)] as number) >> (bit % WORD_BITS)) & 1) === 1;
  }

  /** The last year a search starting in `fromYear` needs to look at. */
  lastYearToSearch(fromYear: number): number {
    return this.everyYear ? fromYear + OPEN_YEAR_HORIZON : SLOTS.year.max;
  }
}
