import { describe, expect, test } from "vitest";
import { parseInstallerOutput } from "../src/conformance/installer-output.js";

const INTERVAL =
  '{"instructions":[{"message":{"text":"Hi"}},{"query":{"text":"Set a minimum duration","config_key":"min_duration"}}]}';

describe("parseInstallerOutput (spec §3.4)", () => {
  test("reads the last non-empty line, after log lines and before trailing blank lines", () => {
    expect(parseInstallerOutput(`starting\n${INTERVAL}\n\n`)).toEqual([
      { kind: "message", text: "Hi" },
      { kind: "query", text: "Set a minimum duration", configKey: "min_duration" },
    ]);
  });

  test("an empty instruction list is valid", () => {
    expect(parseInstallerOutput('{"instructions":[]}')).toEqual([]);
  });

  test.each([
    ["", "stdout is empty; expected the instructions JSON on one line"],
    [
      `${INTERVAL}\ndone`,
      // The middle of the message is JSON.parse's own, which differs between Node versions.
      'the JSON must be on one line with nothing after it. Line: "done"',
    ],
    ['{"instructions":{}}', '"instructions": expected an array, got {}'],
    ['{"instructions":[],"version":1}', 'the JSON: unexpected key "version"; allowed: "instructions"'],
    ["[]", "the JSON: expected an object, got []"],
    [
      '{"instructions":[{"message":{"text":"a"},"query":{"text":"b","config_key":"c"}}]}',
      'instructions[0]: expected exactly one key ("message" or "query"), got "message", "query"',
    ],
    ['{"instructions":[{}]}', 'instructions[0]: expected exactly one key ("message" or "query"), got none'],
    ['{"instructions":[{"text":"a"}]}', 'instructions[0]: unexpected key "text"; allowed: "message", "query"'],
    ['{"instructions":[{"message":{"text":1}}]}', "instructions[0].message.text: expected a string, got 1"],
    [
      '{"instructions":[{"query":{"text":"q","configKey":"k"}}]}',
      'instructions[0].query: unexpected key "configKey"; allowed: "text", "config_key"',
    ],
    ['{"instructions":[{"query":{"text":"q"}}]}', "instructions[0].query.config_key: expected a string, got nothing"],
    [
      '{"instructions":[{"query":{"text":"q","config_key":""}}]}',
      "instructions[0].query.config_key: must not be empty",
    ],
  ])("rejects %j: %s", (stdout, message) => {
    expect(() => parseInstallerOutput(stdout)).toThrow(message);
  });
});
