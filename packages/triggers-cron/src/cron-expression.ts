// Parses the EXPRESSION setting. The number of fields decides the grammar:
//
//   5 fields  minute hour day-of-month month day-of-week                 standard cron
//   6 fields  minute hour day-of-month month day-of-week year            the original Gofer v0.4 grammar (spec §4)
//   7 fields  second minute hour day-of-month month day-of-week year     standard cron with seconds and year
//
// Six fields always mean the original grammar, never croner's or Quartz's "seconds first", so every existing pipeline
// keeps its meaning: `0 12 * * * 2030` is noon every day of 2030. That form stays exactly as strict as avail v2.0.1:
// plain numbers, `A-B` only with A < B, lists only of numbers, weekday 0-6, and day-of-month AND day-of-week.
//
// The 5- and 7-field forms take standard syntax (steps, mixed lists, JAN-DEC and SUN-SAT, weekday 7 = Sunday) and
// standard cron's day rule: when both day-of-month and day-of-week are restricted (neither is exactly `*`), a day
// matching either one matches; otherwise the restricted one alone decides. As in croner (and unlike Vixie cron,
// which looks only at a leading `*`), a stepped `*/2` counts as restricted.
//
// Every form demands single spaces between fields and none around them: the field count decides the meaning, so it
// must not hinge on invisible whitespace (the original rejected such spacing too).
import { CronExpressionError } from "./cron-expression-error.js";
import {
  type CronField,
  DAYS_OF_MONTH,
  DAYS_OF_WEEK,
  HOURS,
  MINUTES,
  MONTHS,
  ORIGINAL_DAYS_OF_WEEK,
  SECONDS,
  YEARS,
} from "./cron-field.js";
import { CronSchedule, type DayRule } from "./cron-schedule.js";
import { parseOriginalTerm } from "./original-term.js";
import { parseStandardTerm } from "./standard-term.js";
import { TimeZone } from "./time-zone.js";

export interface ParseCronOptions {
  /** IANA time zone name the expression's wall times are read in. Default UTC. */
  timezone?: string;
}

const SINGLE_SPACED = /^[^\s]+( [^\s]+)*$/;
const FORMS =
  "expected 5 fields (minute hour day-of-month month day-of-week), " +
  "6 (minute hour day-of-month month day-of-week year, the original grammar) " +
  "or 7 (second minute hour day-of-month month day-of-week year)";

export function parseCron(text: string, options: ParseCronOptions = {}): CronSchedule {
  if (text.trim() === "") throw new CronExpressionError(`Empty expression ${JSON.stringify(text)}: ${FORMS}`, text);
  if (!SINGLE_SPACED.test(text)) {
    throw new CronExpressionError(
      `Invalid spacing in expression ${JSON.stringify(text)}: ` +
        "fields must be separated by single spaces, with no leading or trailing spaces",
      text,
    );
  }
  const terms = text.split(" ");
  const timeZone = options.timezone === undefined ? TimeZone.UTC : TimeZone.named(options.timezone);
  switch (terms.length) {
    case 5:
      return parseStandard(text, terms, timeZone);
    case 6:
      return parseOriginal(text, terms, timeZone);
    case 7:
      return parseWithSeconds(text, terms, timeZone);
    default:
      throw new CronExpressionError(
        `Wrong number of fields (${terms.length}) in expression ${JSON.stringify(text)}: ${FORMS}`,
        text,
      );
  }
}

function parseOriginal(text: string, terms: string[], timeZone: TimeZone): CronSchedule {
  const [minute, hour, dayOfMonth, month, dayOfWeek, year] = terms as [string, string, string, string, string, string];
  return new CronSchedule({
    expression: text,
    form: "original",
    timeZone,
    dayRule: "both",
    values: {
      second: [0],
      minute: parseOriginalTerm(minute, MINUTES, text),
      hour: parseOriginalTerm(hour, HOURS, text),
      dayOfMonth: parseOriginalTerm(dayOfMonth, DAYS_OF_MONTH, text),
      month: parseOriginalTerm(month, MONTHS, text),
      dayOfWeek: parseOriginalTerm(dayOfWeek, ORIGINAL_DAYS_OF_WEEK, text),
      year: parseOriginalTerm(year, YEARS, text),
    },
  });
}

function parseStandard(text: string, terms: string[], timeZone: TimeZone): CronSchedule {
  const [minute, hour, dayOfMonth, month, dayOfWeek] = terms as [string, string, string, string, string];
  const term = (value: string, field: CronField) => parseStandardTerm(value, field, text);
  return new CronSchedule({
    expression: text,
    form: "standard",
    timeZone,
    dayRule: standardDayRule(dayOfMonth, dayOfWeek),
    values: {
      second: [0],
      minute: term(minute, MINUTES),
      hour: term(hour, HOURS),
      dayOfMonth: term(dayOfMonth, DAYS_OF_MONTH),
      month: term(month, MONTHS),
      dayOfWeek: term(dayOfWeek, DAYS_OF_WEEK),
    },
  });
}

function parseWithSeconds(text: string, terms: string[], timeZone: TimeZone): CronSchedule {
  const [second, minute, hour, dayOfMonth, month, dayOfWeek, year] = terms as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const term = (value: string, field: CronField) => parseStandardTerm(value, field, text);
  return new CronSchedule({
    expression: text,
    form: "with-seconds",
    timeZone,
    dayRule: standardDayRule(dayOfMonth, dayOfWeek),
    values: {
      second: term(second, SECONDS),
      minute: term(minute, MINUTES),
      hour: term(hour, HOURS),
      dayOfMonth: term(dayOfMonth, DAYS_OF_MONTH),
      month: term(month, MONTHS),
      dayOfWeek: term(dayOfWeek, DAYS_OF_WEEK),
      year: term(year, YEARS),
    },
  });
}

function standardDayRule(dayOfMonth: string, dayOfWeek: string): DayRule {
  return dayOfMonth !== "*" && dayOfWeek !== "*" ? "either" : "both";
}
