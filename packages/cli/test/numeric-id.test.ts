// Numeric ids are checked by the CLI before anything is sent: out of range or not a number is a usage error (exit 2)
// naming the id, never a rounded echo from the server or a serialization failure.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CliError } from "../src/exit-codes.js";
import { MAX_ID, parseNumericId } from "../src/numeric-id.js";
import { type CliTestServer, startCliTestServer } from "./cli-harness.js";

describe("parseNumericId", () => {
  test.each([
    ["1", 1n],
    ["42", 42n],
    [" 7 ", 7n],
    ["9007199254740991", MAX_ID],
  ])("%j → %s", (text, id) => {
    expect(parseNumericId(text, "run id")).toBe(id);
  });

  test.each([
    ["0", "run id 0 is out of range: ids are whole numbers from 1 to 9007199254740991"],
    ["9007199254740992", "run id 9007199254740992 is out of range: ids are whole numbers from 1 to 9007199254740991"],
    [
      "9223372036854775808",
      "run id 9223372036854775808 is out of range: ids are whole numbers from 1 to 9007199254740991",
    ],
    ["-1", 'run id "-1" is not a number'],
    ["1e3", 'run id "1e3" is not a number'],
    ["latest", 'run id "latest" is not a number'],
  ])("%j is a usage error", (text, message) => {
    expect(() => parseNumericId(text, "run id")).toThrowError(message);
    try {
      parseNumericId(text, "run id");
    } catch (error) {
      expect(error).toBeInstanceOf(CliError);
      expect((error as CliError).exitCode).toBe(2);
    }
  });
});

describe("the commands check ids before sending", () => {
  let t: CliTestServer;
  beforeAll(async () => {
    t = await startCliTestServer();
  }, 60_000);
  afterAll(() => t?.destroy());

  test.each([
    [["run", "get", "demo", "9223372036854775807"], "run id 9223372036854775807"],
    [["run", "cancel", "demo", "9007199254740992"], "run id 9007199254740992"],
    [["taskrun", "get", "demo", "18446744073709551616", "hello"], "run id 18446744073709551616"],
    [["event", "get", "9223372036854775807"], "event id 9223372036854775807"],
  ])(
    "gofer %j exits 2",
    async (args, what) => {
      const result = await t.gofer(args);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        `gofer: ${what} is out of range: ids are whole numbers from 1 to 9007199254740991\n`,
      );
    },
    30_000,
  );
});
