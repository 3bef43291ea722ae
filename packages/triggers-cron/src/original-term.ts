// One term of the original 6-field grammar (spec §4, avail v2.0.1), which every existing pipeline was written in:
// `*`, `N`, `A-B` with A < B strictly, or `N,M,…` of two or more plain numbers. No steps, names, mixed lists, `?`,
// `L`, `W` or `#`: they were rejected then, so accepting them in this form would give no old pipeline a new meaning,
// but we keep the form exact and point to the 5- and 7-field forms instead.
import { type CronField, fieldError, readFieldValue } from "./cron-field.js";

const ORIGINAL_TERM = /^(\*|[0-9]+|[0-9]+-[0-9]+|[0-9]+(,[0-9]+)+)$/;

/** The values a term names, in the field's range. */
export function parseOriginalTerm(term: string, field: CronField, expression: string): number[] {
  if (!ORIGINAL_TERM.test(term)) {
    throw fieldError(
      "Unsupported term",
      term,
      field,
      expression,
      "a 6-field expression uses the original grammar (minute hour day-of-month month day-of-week year), " +
        "whose terms are '*', 'N', 'A-B' or 'N,M,...' with plain numbers; " +
        "use the 5- or 7-field form for steps, names and mixed lists",
    );
  }
  if (term === "*") return span(field.min, field.max);
  if (term.includes("-")) {
    const [startText, endText] = term.split("-") as [string, string];
    const start = readFieldValue(startText, field, expression, false);
    const end = readFieldValue(endText, field, expression, false);
    if (start >= end) {
      throw fieldError("Invalid range", term, field, expression, "the start must be less than the end");
    }
    return span(start, end);
  }
  return term.split(",").map((text) => readFieldValue(text, field, expression, false));
}

function span(start: number, end: number): number[] {
  return Array.from({ length: end - start + 1 }, (_, i) => start + i);
}
