import { describe, expect, test } from "vitest";
import { formatInstructions, instructions, parseInstructions } from "../src/instructions.js";
import { getConfig, SubscriptionSettings } from "../src/settings.js";

describe("subscription settings", () => {
  test("reads a setting sent as KEY or as GOFER_PLUGIN_PARAM_KEY, case-insensitively", () => {
    expect(new SubscriptionSettings({ EVERY: "1m" }).get("every")).toBe("1m");
    expect(new SubscriptionSettings({ GOFER_PLUGIN_PARAM_EVERY: "2m" }).get("EVERY")).toBe("2m");
    expect(new SubscriptionSettings({ EVERY: "1m", GOFER_PLUGIN_PARAM_EVERY: "2m" }).get("every")).toBe("1m");
  });

  test("a missing required setting names both spellings", () => {
    expect(() => new SubscriptionSettings({}).require("every")).toThrow(
      'missing required setting "EVERY" (also read as "GOFER_PLUGIN_PARAM_EVERY")',
    );
  });

  test("install config is read as GOFER_PLUGIN_CONFIG_<KEY>, then the bare key", () => {
    expect(getConfig("min_duration", { GOFER_PLUGIN_CONFIG_MIN_DURATION: "5s", MIN_DURATION: "9s" })).toBe("5s");
    expect(getConfig("min_duration", { MIN_DURATION: "9s" })).toBe("9s");
    expect(getConfig("min_duration", {})).toBeUndefined();
  });
});

describe("install instructions", () => {
  test("have the exact original shape, one line, with Go's HTML escaping", () => {
    const text = formatInstructions(instructions().message("a <b> & c").query("How long?", "min_duration").build());
    expect(text).toBe(
      '{"instructions":[{"message":{"text":"a \\u003cb\\u003e \\u0026 c"}},{"query":{"text":"How long?","config_key":"min_duration"}}]}',
    );
    expect(parseInstructions(text).instructions[0]).toEqual({ message: { text: "a <b> & c" } });
  });

  test.each([
    ["not json", "install instructions are not JSON"],
    ['{"x":1}', 'install instructions must be an object with an "instructions" array'],
    ['{"instructions":[{"message":{"text":"a"},"query":{}}]}', "instructions[0] must have exactly one key"],
    ['{"instructions":[{"query":{"text":"a"}}]}', "instructions[0].query.config_key must be a non-empty string"],
    ['{"instructions":[{"note":{"text":"a"}}]}', 'instructions[0] has unknown key "note"'],
  ])("rejects %s", (text, message) => {
    expect(() => parseInstructions(text)).toThrow(message);
  });
});
