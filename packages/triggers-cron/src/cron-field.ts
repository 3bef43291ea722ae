// The fields of a cron expression: their ranges, the names the 5- and 7-field forms accept, and how an error in one
// reads ("Too large value '60' in minutes field of expression "60 * * * * *": expected values in the range 0-59").
import { CronExpressionError } from "./cron-expression-error.js";

export interface CronField {
  /** How messages name the field. */
  readonly label: string;
  readonly min: number;
  readonly max: number;
  /** Names the 5- and 7-field forms accept in place of numbers, the first naming `min`. */
  readonly names?: readonly string[];
}

export const SECONDS: CronField = { label: "seconds", min: 0, max: 59 };
export const MINUTES: CronField = { label: "minutes", min: 0, max: 59 };
export const HOURS: CronField = { label: "hours", min: 0, max: 23 };
export const DAYS_OF_MONTH: CronField = { label: "day-of-month", min: 1, max: 31 };
export const MONTHS: CronField = {
  label: "month",
  min: 1,
  max: 12,
  names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"],
};
/** The original grammar's day of week: 0 (Sunday) to 6; 7 is rejected (spec §4). */
export const ORIGINAL_DAYS_OF_WEEK: CronField = { label: "day-of-week", min: 0, max: 6 };
/** Standard cron's day of week, where 7 is Sunday as well as 0. */
export const DAYS_OF_WEEK: CronField = {
  label: "day-of-week",
  min: 0,
  max: 7,
  names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
};
/** The original grammar's year range (spec §4), kept for the 7-field form too. */
export const YEARS: CronField = { label: "year", min: 1970, max: 2100 };

const DIGITS = /^[0-9]+$/;

/** An error about one part of one field: `<problem> '<text>' in <field> field of expression "<expr>": <expected>`. */
export function fieldError(
  problem: string,
  text: string,
  field: CronField,
  expression: string,
  expected: string,
): CronExpressionError {
  return new CronExpressionError(
    `${problem} '${text}' in ${field.label} field of expression ${JSON.stringify(expression)}: ${expected}`,
    expression,
  );
}

/**
 * Reads one value of a field: decimal digits (leading zeros allowed, as Go's strconv.Atoi allowed them in the
 * original), or with `allowNames` one of the field's names in any case. Checks the field's range.
 */
export function readFieldValue(text: string, field: CronField, expression: string, allowNames: boolean): number {
  let value: number;
  if (DIGITS.test(text)) {
    value = Number(text);
  } else {
    const index = allowNames && field.names ? field.names.indexOf(text.toUpperCase()) : -1;
    if (index === -1) {
      const names = allowNames && field.names ? ` or a name (${field.names[0]}-${field.names.at(-1)})` : "";
      throw fieldError("Invalid value", text, field, expression, `expected a number${names}`);
    }
    value = field.min + index;
  }
  const expected = `expected values in the range ${field.min}-${field.max}`;
  if (value > field.max) throw fieldError("Too large value", text, field, expression, expected);
  if (value < field.min) throw fieldError("Too small value", text, field, expression, expected);
  return value;
}
