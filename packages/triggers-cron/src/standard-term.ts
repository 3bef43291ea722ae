// One term of the 5- and 7-field forms, standard (Vixie) cron syntax: a comma list of items, each `*`, `N`, `A-B`
// (A <= B), `*/S` or `A-B/S`, where N, A and B may be names in the month (JAN-DEC) and day-of-week (SUN-SAT) fields.
// Not supported: `N/S` without a range, wrap-around ranges (FRI-MON), and the Quartz extensions `?`, `L`, `W`, `#`.
import { type CronField, fieldError, readFieldValue } from "./cron-field.js";

const STEP = /^[0-9]+$/;
const RANGE = /^([^-]+)-([^-]+)$/;

/** The values a term names, in the field's range. */
export function parseStandardTerm(term: string, field: CronField, expression: string): number[] {
  return term.split(",").flatMap((item) => parseItem(item, field, expression));
}

function parseItem(item: string, field: CronField, expression: string): number[] {
  const [base = "", stepText, ...rest] = item.split("/");
  if (rest.length > 0) throw fieldError("Invalid step", item, field, expression, "expected at most one '/'");

  let start: number;
  let end: number;
  if (base === "*") {
    start = field.min;
    end = field.max;
  } else if (base.includes("-")) {
    const match = RANGE.exec(base);
    if (!match) throw fieldError("Invalid range", base, field, expression, "expected 'A-B'");
    start = readFieldValue(match[1] as string, field, expression, true);
    end = readFieldValue(match[2] as string, field, expression, true);
    if (start > end) {
      throw fieldError("Invalid range", base, field, expression, "the start must not be greater than the end");
    }
  } else {
    start = readFieldValue(base, field, expression, true);
    end = start;
    if (stepText !== undefined) {
      throw fieldError(
        "Invalid step",
        item,
        field,
        expression,
        `a step needs '*' or a range before it, such as '*/${stepText}' or '${base}-${field.max}/${stepText}'`,
      );
    }
  }

  let step = 1;
  if (stepText !== undefined) {
    step = STEP.test(stepText) ? Number(stepText) : 0;
    if (step < 1) throw fieldError("Invalid step", item, field, expression, "the step must be a whole number from 1");
  }
  const values: number[] = [];
  for (let value = start; value <= end; value += step) values.push(value);
  return values;
}
