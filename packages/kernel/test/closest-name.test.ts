import { describe, expect, test } from "vitest";
import { closestName } from "../src/closest-name.js";

const SERVER_KEYS = ["server.host", "server.dev_mode", "triggers.stop_timeout", "triggers.use_tls"];
const TASK_FIELDS = ["id", "description", "image", "depends_on", "variables", "entrypoint", "command"];

describe("closestName", () => {
  test("one or two edits away", () => {
    expect(closestName("server.hots", SERVER_KEYS)).toBe("server.host");
    expect(closestName("imgae", TASK_FIELDS)).toBe("image");
  });

  test("case does not count, and the answer is spelt as the candidate is", () => {
    expect(closestName("GOFER_SERVER_HOTS", ["GOFER_SERVER_HOST", "GOFER_SERVER_DEV_MODE"])).toBe("GOFER_SERVER_HOST");
    expect(closestName("Image", TASK_FIELDS)).toBe("image");
  });

  test("a camelCase name is read as snake_case", () => {
    // "dependsOn" is 3 edits from "depends_on" as typed; as snake_case it is the field itself.
    expect(closestName("dependsOn", TASK_FIELDS)).toBe("depends_on");
    expect(closestName("stopTimeout", ["triggers.stop_timeout", "server.host"])).toBe("triggers.stop_timeout");
  });

  test("the same last segment in another block", () => {
    expect(closestName("server.stop_timeout", SERVER_KEYS)).toBe("triggers.stop_timeout");
  });

  test("a long name may be further away, about one edit per three characters", () => {
    // 3 edits from "description" (11 characters): more than 2, within 11 / 3.
    expect(closestName("dscriptoin", TASK_FIELDS)).toBe("description");
    // 3 edits from "image" (5 characters): too far for so short a name.
    expect(closestName("imxxx", TASK_FIELDS)).toBeUndefined();
  });

  test("nothing plausible, or nothing to choose from", () => {
    expect(closestName("parallelism", TASK_FIELDS)).toBeUndefined();
    expect(closestName("host", [])).toBeUndefined();
  });
});
