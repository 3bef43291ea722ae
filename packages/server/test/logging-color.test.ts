// The pretty (dev) log is coloured only when it goes to a terminal and NO_COLOR is unset or empty: a log written to
// a file holds no escape codes.
import { PassThrough } from "node:stream";
import { expect, test } from "vitest";
import { createServerLogger, logColorAllowed } from "../src/logging.js";

const ESC = "\u001b[";

function capture(isTTY: boolean) {
  const stream = Object.assign(new PassThrough(), { isTTY });
  const chunks: string[] = [];
  stream.on("data", (chunk: Buffer) => chunks.push(chunk.toString()));
  return { stream, text: () => chunks.join("") };
}

test("on a terminal the level is coloured", () => {
  const out = capture(true);
  createServerLogger({ level: "info", pretty: true, stream: out.stream, color: true }).info("hello", { run: 1 });
  expect(out.text()).toContain(` ${ESC}32minfo${ESC}39m hello run=1\n`);
});

test("color: false, or a stream that is not a terminal, gives plain lines", () => {
  const forced = capture(true);
  createServerLogger({ level: "info", pretty: true, stream: forced.stream, color: false }).info("hello");
  expect(forced.text()).toMatch(/^\d\d:\d\d:\d\d\.\d{3} info hello\n$/);
  const file = capture(false);
  createServerLogger({ level: "info", pretty: true, stream: file.stream }).warn("careful");
  expect(file.text()).not.toContain(ESC);
  expect(file.text()).toContain(" warn careful");
});

test("colour is allowed on a terminal only, and not when NO_COLOR is set to anything but an empty string", () => {
  expect(logColorAllowed({ isTTY: true }, {})).toBe(true);
  expect(logColorAllowed({ isTTY: true }, { NO_COLOR: "" })).toBe(true);
  expect(logColorAllowed({ isTTY: true }, { NO_COLOR: "1" })).toBe(false);
  expect(logColorAllowed({ isTTY: false }, {})).toBe(false);
  expect(logColorAllowed({}, {})).toBe(false);
});
