import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";

const main = fileURLToPath(new URL("../src/conformance/main.ts", import.meta.url));

function runCli(args: string[]) {
  return spawnSync(process.execPath, ["--import", "tsx", main, ...args], { encoding: "utf8", timeout: 30_000 });
}

describe("conformance CLI", () => {
  test("bad arguments name the problem, print the usage to stderr and exit 2", () => {
    const result = runCli(["--trigger", "gitlab", "--command", "./trigger"]);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(
      /^conformance: --trigger "gitlab": must be one of interval, cron, github, generic\n\nUsage: /,
    );
  });

  test("--help prints the usage to stdout and exits 0", () => {
    const result = runCli(["--help"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: conformance --trigger interval\|cron\|github\|generic /);
  });
});
