// `gofer trigger …` against a real server: install with -c, list, get, disable, enable, uninstall, and the fixed
// v0.4.1 behaviours of install (spec §6, §7 #25).
import { spawn, spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type CliTestServer, GOFER_BIN, parseJson, startCliTestServer } from "./cli-harness.js";

interface TriggerJson {
  name: string;
  image: string;
  state: string;
  status: string;
  started: number;
}

let t: CliTestServer;

beforeAll(async () => {
  t = await startCliTestServer();
});

afterAll(async () => {
  await t?.destroy();
});

describe("the trigger lifecycle", () => {
  test("-c KEY=VALUE installs without questions or --manual, and the trigger runs", async () => {
    const installed = await t.gofer([
      "trigger",
      "install",
      "interval",
      "gofer-trigger-interval:latest",
      "-c",
      "MIN_DURATION=1s",
    ]);
    expect(installed.stderr).toBe("");
    expect(installed.code).toBe(0);
    expect(installed.stdout).toContain('Trigger "interval" installed');

    const listed = parseJson<TriggerJson[]>(await t.gofer(["trigger", "list", "--format", "json"]));
    expect(listed).toEqual([
      expect.objectContaining({
        name: "interval",
        image: "gofer-trigger-interval:latest",
        state: "RUNNING",
        status: "ENABLED",
      }),
    ]);
  });

  test("`gofer triggers` works as well as `gofer trigger`, and get shows one trigger", async () => {
    const got = await t.gofer(["triggers", "get", "interval"]);
    expect(got.code).toBe(0);
    expect(got.stdout).toMatch(/^Trigger "interval" :: Enabled :: Running\n/);
    expect(got.stdout).toMatch(/Started: \d+ seconds? ago|Started: just now/);
    const json = parseJson<TriggerJson>(await t.gofer(["triggers", "get", "interval", "--format", "json"]));
    expect(json).toMatchObject({ name: "interval", state: "RUNNING", status: "ENABLED" });
    expect(json.started).toBeGreaterThan(0);
  });

  test("disable --yes stops the trigger without asking; enable starts it again", async () => {
    const disabled = await t.gofer(["trigger", "disable", "interval", "--yes", "--format", "json"]);
    expect(disabled.code).toBe(0);
    expect(parseJson<TriggerJson>(disabled)).toMatchObject({ name: "interval", status: "DISABLED" });

    const enabled = await t.gofer(["trigger", "enable", "interval"]);
    expect(enabled.code).toBe(0);
    expect(enabled.stdout).toContain('Trigger "interval" enabled');
    expect(parseJson<TriggerJson>(await t.gofer(["trigger", "get", "interval", "--format", "json"]))).toMatchObject({
      status: "ENABLED",
      state: "RUNNING",
    });
  });

  test("uninstall removes it: get then exits with the not-found code", async () => {
    const removed = await t.gofer(["trigger", "uninstall", "interval", "--format", "json"]);
    expect(parseJson(removed)).toEqual({ name: "interval", uninstalled: true });
    const got = await t.gofer(["trigger", "get", "interval"]);
    expect(got.code).toBe(4);
    expect(got.stderr).toBe('gofer: trigger "interval" not found\n');
    expect(parseJson(await t.gofer(["trigger", "list", "--format", "json"]))).toEqual([]);
  });
});

describe("install without -c", () => {
  test("with no terminal it fails at once, saying what to pass, instead of waiting for answers", async () => {
    const result = await t.gofer(["trigger", "install", "cron", "gofer-trigger-cron:latest"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'gofer: installing trigger "cron" interactively needs answers from a terminal, and stdin is not one\n' +
        "hint: pass each setting as -c KEY=VALUE (e.g. -c MIN_DURATION=1m), or --manual to install with no settings\n",
    );
  });

  test("--manual together with -c is refused, as in v0.4.1", async () => {
    const result = await t.gofer(["trigger", "install", "cron", "gofer-trigger-cron:latest", "-m", "-c", "A=1"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("gofer: cannot use both the manual flag and config flag at the same time\n");
  });

  test("disable without --yes and without a terminal says to pass --yes", async () => {
    const result = await t.gofer(["trigger", "disable", "interval"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("hint: pass --yes to disable it without confirming");
  });

  // `script` gives the CLI a terminal; the answers arrive as typed lines. An empty confirmation means yes.
  const hasScript = spawnSync("script", ["--version"]).status === 0;
  test.skipIf(!hasScript)("on a terminal it asks the trigger's questions, and [Y/n] defaults to yes", async () => {
    const command = `${GOFER_BIN} --host ${t.host} --no-color trigger install interval gofer-trigger-interval:latest`;
    const result = await runInTerminal(command, t.dir, { HOME: t.home }, ["  2s  ", ""]);
    expect(result).toContain(":: Interval Trigger Setup");
    expect(result).toContain('Install trigger "Interval" with above settings? [Y/n]:');
    expect(result).toContain('Trigger "interval" installed');
    expect(parseJson<TriggerJson>(await t.gofer(["trigger", "get", "interval", "--format", "json"]))).toMatchObject({
      state: "RUNNING",
    });
  });
});

/** Runs command under `script` (a pseudo-terminal), typing each answer once its prompt appeared. */
function runInTerminal(command: string, cwd: string, env: Record<string, string>, answers: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("script", ["-qec", command, "/dev/null"], {
      cwd,
      env: { PATH: process.env.PATH ?? "", TERM: "dumb", ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let output = "";
    let answered = 0;
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
      // A prompt ends with ": " and waits; the typed answer is echoed, so each prompt is answered once.
      if (answered < answers.length && /: $/.test(output)) child.stdin.write(`${answers[answered++]}\r`);
    });
    child.once("error", reject);
    child.once("close", () => resolve(output));
  });
}
