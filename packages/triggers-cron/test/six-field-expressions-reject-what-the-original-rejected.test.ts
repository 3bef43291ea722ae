import { describe, expect, it } from "vitest";
import { parseError } from "./fire-times.js";

const UNSUPPORTED =
  "a 6-field expression uses the original grammar (minute hour day-of-month month day-of-week year), " +
  "whose terms are '*', 'N', 'A-B' or 'N,M,...' with plain numbers; " +
  "use the 5- or 7-field form for steps, names and mixed lists";
const SPACING = "fields must be separated by single spaces, with no leading or trailing spaces";

describe("a 6-field expression rejects everything the original grammar rejected (spec §4), naming field and value", () => {
  it.each([
    // spacing
    ["* * * * * * ", `Invalid spacing in expression "* * * * * * ": ${SPACING}`],
    [" * * * * * *", `Invalid spacing in expression " * * * * * *": ${SPACING}`],
    ["* *  * * * *", `Invalid spacing in expression "* *  * * * *": ${SPACING}`],
    ["* * *\t* * *", `Invalid spacing in expression "* * *\\t* * *": ${SPACING}`],
    // ranges need start < end
    [
      "5-5 * * * * *",
      `Invalid range '5-5' in minutes field of expression "5-5 * * * * *": the start must be less than the end`,
    ],
    [
      "* 9-3 * * * *",
      `Invalid range '9-3' in hours field of expression "* 9-3 * * * *": the start must be less than the end`,
    ],
    // terms the grammar does not have
    ["1,2-3 * * * * *", `Unsupported term '1,2-3' in minutes field of expression "1,2-3 * * * * *": ${UNSUPPORTED}`],
    ["*/5 * * * * *", `Unsupported term '*/5' in minutes field of expression "*/5 * * * * *": ${UNSUPPORTED}`],
    ["* 0-12/2 * * * *", `Unsupported term '0-12/2' in hours field of expression "* 0-12/2 * * * *": ${UNSUPPORTED}`],
    ["* * * JAN * *", `Unsupported term 'JAN' in month field of expression "* * * JAN * *": ${UNSUPPORTED}`],
    ["* * * * MON *", `Unsupported term 'MON' in day-of-week field of expression "* * * * MON *": ${UNSUPPORTED}`],
    ["* * ? * * *", `Unsupported term '?' in day-of-month field of expression "* * ? * * *": ${UNSUPPORTED}`],
    ["* * L * * *", `Unsupported term 'L' in day-of-month field of expression "* * L * * *": ${UNSUPPORTED}`],
    ["* * 15W * * *", `Unsupported term '15W' in day-of-month field of expression "* * 15W * * *": ${UNSUPPORTED}`],
    ["* * * * 5#2 *", `Unsupported term '5#2' in day-of-week field of expression "* * * * 5#2 *": ${UNSUPPORTED}`],
    ["1, * * * * *", `Unsupported term '1,' in minutes field of expression "1, * * * * *": ${UNSUPPORTED}`],
    ["-1 * * * * *", `Unsupported term '-1' in minutes field of expression "-1 * * * * *": ${UNSUPPORTED}`],
    ["+1 * * * * *", `Unsupported term '+1' in minutes field of expression "+1 * * * * *": ${UNSUPPORTED}`],
  ])("rejects %j", (expression, message) => {
    expect(parseError(expression)).toBe(message);
  });

  it.each([
    ["60 * * * * *", "Too large value '60' in minutes field", "0-59"],
    ["* 24 * * * *", "Too large value '24' in hours field", "0-23"],
    ["* * 0 * * *", "Too small value '0' in day-of-month field", "1-31"],
    ["* * 32 * * *", "Too large value '32' in day-of-month field", "1-31"],
    ["* * * 0 * *", "Too small value '0' in month field", "1-12"],
    ["* * * 13 * *", "Too large value '13' in month field", "1-12"],
    ["* * * * 7 *", "Too large value '7' in day-of-week field", "0-6"],
    ["* * * * 0,7 *", "Too large value '7' in day-of-week field", "0-6"],
    ["* * * * 1-7 *", "Too large value '7' in day-of-week field", "0-6"],
    ["* * * * * 1969", "Too small value '1969' in year field", "1970-2100"],
    ["* * * * * 2101", "Too large value '2101' in year field", "1970-2100"],
    ["* * * * * 99999999999999999999", "Too large value '99999999999999999999' in year field", "1970-2100"],
  ])("rejects the out-of-range value in %j", (expression, problem, range) => {
    expect(parseError(expression)).toBe(
      `${problem} of expression "${expression}": expected values in the range ${range}`,
    );
  });
});
