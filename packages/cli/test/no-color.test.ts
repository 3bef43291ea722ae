// No escape codes reach a pipe or a file: not from the CLI's output or errors, with or without NO_COLOR, and not from
// the server's dev log (`gofer service start --dev`, pretty logging) redirected to a file.
import { spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type CliTestServer, GOFER_BIN, startCliTestServer } from "./cli-harness.js";

const ESC = "\u001b";

let t: CliTestServer;

beforeAll(async () => {
  t = await startCliTestServer();
  await t.server.triggers.install({ name: "interval", image: "gofer-trigger-interval:latest", variables: {} });
});

afterAll(async () => {
  await t?.destroy();
});

test.each([
  ["piped", {}],
  ["piped, with NO_COLOR", { NO_COLOR: "1" }],
])("%s: results, errors and help carry no escape codes", async (_name, env: Record<string, string>) => {
  for (const args of [["trigger", "list"], ["trigger", "get", "interval"], ["trigger", "get", "nope"], ["--help"]]) {
    const result = await t.gofer(args, { env });
    expect(result.stdout + result.stderr).not.toContain(ESC);
    expect(result.stdout + result.stderr).toMatch(/interval|nope|Commands:/);
  }
});

test("the dev server's log written to a file has no escape codes", async () => {
  const dir = mkdtempSync(join(tmpdir(), "gofer-devlog-"));
  const logFile = join(dir, "server.log");
  const fd = openSync(logFile, "w");
  const child = spawn(
    GOFER_BIN,
    ["service", "start", "--dev", "--set", "server.host=127.0.0.1:0", "--set", "triggers.install_base_triggers=false"],
    { cwd: dir, env: { PATH: process.env.PATH ?? "", HOME: dir }, stdio: ["ignore", "ignore", fd] },
  );
  closeSync(fd);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  try {
    // The log is a file: wait for the line saying the API listens, read on each change of the process's state.
    await waitForLog(logFile, /gofer api listening/, exited);
    // The signal may land before the CLI has set up its graceful stop; how it ends is not the point here.
    child.kill("SIGTERM");
    await exited;
    const log = readFileSync(logFile, "utf8");
    expect(log).toMatch(/^\d\d:\d\d:\d\d\.\d{3} info /m);
    expect(log).not.toContain(ESC);
  } finally {
    child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Waits until the file matches, polling it as the server writes; fails if the server exits first. */
async function waitForLog(file: string, pattern: RegExp, exited: Promise<number | null>): Promise<void> {
  let done = false;
  void exited.then(() => {
    done = true;
  });
  const { watch } = await import("node:fs");
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (pattern.test(readFileSync(file, "utf8"))) {
        watcher.close();
        resolve();
      } else if (done) {
        watcher.close();
        reject(new Error(`the server exited before logging ${pattern}:\n${readFileSync(file, "utf8")}`));
      }
    };
    const watcher = watch(file, check);
    void exited.then(check);
    check();
  });
}
