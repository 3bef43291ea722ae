import { describe, expect, it } from "vitest";
import { parseCron } from "../src/cron-expression.js";
import { parseError } from "./fire-times.js";

const FORMS =
  "expected 5 fields (minute hour day-of-month month day-of-week), " +
  "6 (minute hour day-of-month month day-of-week year, the original grammar) " +
  "or 7 (second minute hour day-of-month month day-of-week year)";
const SPACING = "fields must be separated by single spaces, with no leading or trailing spaces";

describe("the number of fields picks the grammar, and only 5, 6 or 7 single-spaced fields parse", () => {
  it.each([
    ["* * * * *", "standard"],
    ["* * * * * *", "original"],
    ["* * * * * * *", "with-seconds"],
  ])("%j is the %s form", (expression, form) => {
    expect(parseCron(expression).form).toBe(form);
  });

  it.each([
    ["", `Empty expression "": ${FORMS}`],
    ["   ", `Empty expression "   ": ${FORMS}`],
    ["*", `Wrong number of fields (1) in expression "*": ${FORMS}`],
    ["* * * *", `Wrong number of fields (4) in expression "* * * *": ${FORMS}`],
    ["* * * * * * * *", `Wrong number of fields (8) in expression "* * * * * * * *": ${FORMS}`],
    ["* * * * * ", `Invalid spacing in expression "* * * * * ": ${SPACING}`],
    ["*  * * * *", `Invalid spacing in expression "*  * * * *": ${SPACING}`],
    ["* * * * * * *\n", `Invalid spacing in expression "* * * * * * *\\n": ${SPACING}`],
  ])("rejects %j", (expression, message) => {
    expect(parseError(expression)).toBe(message);
  });

  it("throws a CronExpressionError carrying the expression", () => {
    expect(() => parseCron("60 * * * *")).toThrow(
      expect.objectContaining({ name: "CronExpressionError", expression: "60 * * * *" }),
    );
  });
});
