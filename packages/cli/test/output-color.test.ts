// Colour reaches a terminal only, and never with --no-color, no_color or NO_COLOR, nor in json output. The CLI runs
// in-process here (runCli) so stdout can claim to be a terminal.
import { Readable } from "node:stream";
import { systemClock } from "@gofer/kernel/clock";
import { afterAll, beforeAll, expect, test } from "vitest";
import { runCli } from "../src/cli.js";
import { type CliTestServer, startCliTestServer } from "./cli-harness.js";

let t: CliTestServer;

beforeAll(async () => {
  t = await startCliTestServer();
  await t.server.triggers.install({ name: "interval", image: "gofer-trigger-interval:latest", variables: {} });
});

afterAll(async () => {
  await t?.destroy();
});

async function run(args: string[], options: { tty: boolean; env?: Record<string, string> }) {
  const out: string[] = [];
  const err: string[] = [];
  const stream = (into: string[]) => ({
    isTTY: options.tty,
    columns: 120,
    write: (chunk: string | Uint8Array) => into.push(String(chunk)) > 0,
  });
  const code = await runCli(["--host", t.host, ...args], {
    stdout: stream(out),
    stderr: stream(err),
    stdin: Readable.from([]),
    env: options.env ?? {},
    cwd: t.dir,
    homeDir: t.home,
    clock: systemClock,
    execPath: process.execPath,
  });
  return { code, stdout: out.join(""), stderr: err.join("") };
}

const ESC = "\u001b[";

test("pretty output on a terminal is coloured", async () => {
  const result = await run(["trigger", "list"], { tty: true });
  expect(result.code).toBe(0);
  expect(result.stdout).toContain(`${ESC}32mRunning${ESC}39m`);
});

test.each([
  ["--no-color", { tty: true, flags: ["--no-color"] }],
  ["NO_COLOR", { tty: true, env: { NO_COLOR: "1" } }],
  ["GOFER_CLI_NO_COLOR", { tty: true, env: { GOFER_CLI_NO_COLOR: "true" } }],
  ["not a terminal", { tty: false }],
  ["json output", { tty: true, flags: ["--format", "json"] }],
])("no colour with %s", async (_name, options: { tty: boolean; flags?: string[]; env?: Record<string, string> }) => {
  const result = await run(["trigger", "list", ...(options.flags ?? [])], options);
  expect(result.code).toBe(0);
  expect(result.stdout).not.toContain(ESC);
  expect(result.stdout).toMatch(/interval/);
});

test("errors in-process return the exit code and write to stderr", async () => {
  const result = await run(["trigger", "get", "nope"], { tty: false });
  expect(result).toEqual({ code: 4, stdout: "", stderr: 'gofer: trigger "nope" not found\n' });
});
