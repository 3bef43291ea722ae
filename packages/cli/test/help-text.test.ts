// Help is wrapped at word boundaries: at the terminal's width, else at 80 columns; and every command's help lists
// each of its positionals. The whole command tree is walked from `gofer --help`, in-process (runCli), so stdout can
// be a terminal of any width or a pipe.
import { Readable } from "node:stream";
import { systemClock } from "@gofer/kernel/clock";
import { describe, expect, test } from "vitest";
import { runCli } from "../src/cli.js";
import { wrapHelp } from "../src/help-text.js";

async function help(command: readonly string[], stdout: { isTTY: boolean; columns?: number }): Promise<string> {
  const out: string[] = [];
  const code = await runCli([...command, "--help"], {
    stdout: { ...stdout, write: (chunk) => out.push(String(chunk)) > 0 },
    stderr: { isTTY: false, write: () => true },
    stdin: Readable.from([]),
    env: {},
    cwd: process.cwd(),
    homeDir: "/nonexistent",
    clock: systemClock,
    execPath: process.execPath,
  });
  expect(code, `gofer ${command.join(" ")} --help`).toBe(0);
  return out.join("");
}

/** Wide enough that nothing wraps: the text as written in the describe strings. */
const UNWRAPPED = { isTTY: true, columns: 10_000 };
const PIPE = { isTTY: false };

/** Every command path, from the "Commands:" listings of each help screen. */
async function commandTree(): Promise<string[][]> {
  const found: string[][] = [];
  const visit = async (path: string[]) => {
    found.push(path);
    const text = await help(path, UNWRAPPED);
    const section = /\nCommands:\n((?: {2}.*\n)+)/.exec(text)?.[1] ?? "";
    for (const line of section.trimEnd().split("\n")) {
      // A command's row starts "gofer <path> <name>"; a continuation line of a wrapped description does not.
      const words = line.trim().split(/\s+/);
      const listed = words[0] === "gofer" && path.every((part, i) => words[i + 1] === part);
      const next = words[path.length + 1];
      if (listed && next && /^[a-z][a-z-]*$/.test(next) && path.length < 4) await visit([...path, next]);
    }
  };
  await visit([]);
  return found;
}

const tree = await commandTree();

const words = (text: string) => text.split(/\s+/).filter((w) => w !== "");

test("the walk finds every command group and their commands", () => {
  const names = tree.map((path) => path.join(" "));
  expect(names).toEqual(
    expect.arrayContaining([
      "trigger install",
      "pipeline update",
      "run cancel",
      "taskrun logs",
      "namespace create",
      "event list",
      "service tokens create",
    ]),
  );
  expect(tree.length).toBeGreaterThan(40);
});

describe.each(tree.map((path) => [path.join(" ") || "(top)", path] as const))("gofer %s --help", (_name, path) => {
  test("piped: no line is wider than 80 and no word is split across lines", async () => {
    const unwrapped = await help(path, UNWRAPPED);
    const piped = await help(path, PIPE);
    for (const line of piped.split("\n")) expect([...line].length, line).toBeLessThanOrEqual(80);
    // Splitting a word would leave two fragments that appear nowhere in the unwrapped text.
    expect(words(piped)).toEqual(words(unwrapped));
  });

  test("on a terminal: wrapped at its width", async () => {
    const narrow = await help(path, { isTTY: true, columns: 70 });
    for (const line of narrow.split("\n")) expect([...line].length, line).toBeLessThanOrEqual(70);
    expect(words(narrow)).toEqual(words(await help(path, UNWRAPPED)));
  });

  test("every positional of the usage line is listed under Positionals", async () => {
    const text = await help(path, PIPE);
    const usage = text.split("\n")[0] ?? "";
    const positionals = [...usage.matchAll(/[<[]([A-Za-z0-9_-]+)[>\]]/g)].map((m) => m[1]);
    if (usage.includes("<command>")) return; // a group: its commands are listed instead
    const section = /\nPositionals:\n((?: {2}.*\n)+)/.exec(text)?.[1] ?? "";
    for (const name of positionals) expect(section, `${usage}: ${name}`).toMatch(new RegExp(`^ {2}${name} +\\S`, "m"));
  });
});

test("the words the user reported split stay whole", async () => {
  const piped = await help(["pipeline"], PIPE);
  expect(words(piped)).toContain("TypeScript)");
  expect(words(await help([], PIPE))).toContain("GOFER_CLI_DETAIL,");
  expect(await help(["run", "cancel"], PIPE)).toMatch(/\nPositionals:\n {2}pipeline +The pipeline's id/);
});

test("the help lists the exit code of each server status", async () => {
  const text = words(await help([], UNWRAPPED)).join(" ");
  expect(text).toContain(
    "Exit codes: 0 ok, 1 failure, 2 usage or invalid input, 3 cannot reach the server, 4 not found,",
  );
  expect(text).toContain(
    "The server's answers: 2 for INVALID_ARGUMENT, FAILED_PRECONDITION, ALREADY_EXISTS, OUT_OF_RANGE; 3 for UNAVAILABLE, DEADLINE_EXCEEDED; 4 for NOT_FOUND; 5 for UNAUTHENTICATED, PERMISSION_DENIED; 130 for CANCELLED; any other status 1.",
  );
});

describe("wrapHelp", () => {
  test("a two-column row continues under its second column", () => {
    expect(wrapHelp("  --host  Gofer API host:port (default localhost:8080)", 30)).toBe(
      ["  --host  Gofer API host:port", "          (default", "          localhost:8080)"].join("\n"),
    );
  });

  test("a paragraph continues indented by four", () => {
    expect(wrapHelp("Settings: flags, then env (GOFER_CLI_HOST, GOFER_CLI_TOKEN)", 30)).toBe(
      ["Settings: flags, then env", "    (GOFER_CLI_HOST,", "    GOFER_CLI_TOKEN)"].join("\n"),
    );
  });

  test("a first column wider than half the line puts the second column below it", () => {
    expect(wrapHelp("  gofer pipeline create ./examples/typescript  runs the program", 40)).toBe(
      ["  gofer pipeline create", "      ./examples/typescript", "      runs the program"].join("\n"),
    );
  });

  test("a word longer than the line is kept whole", () => {
    expect(wrapHelp("see https://example.com/a/very/long/address/indeed", 20)).toBe(
      ["see", "    https://example.com/a/very/long/address/indeed"].join("\n"),
    );
  });
});
