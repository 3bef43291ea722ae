// `pnpm gofer …` as the README documents it: the root package links @gofer/cli's bin, so pnpm runs it like
// `pnpm exec gofer` and prints nothing of its own — no `> gofer-ts@ gofer` banner on stdout, no ELIFECYCLE or
// ERR_PNPM line on stderr — and the exit code is the CLI's.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type CliResult, type CliTestServer, parseJson, startCliTestServer } from "./cli-harness.js";

const REPO_ROOT = fileURLToPath(new URL("../../..", import.meta.url));

let t: CliTestServer;
beforeAll(async () => {
  t = await startCliTestServer();
});
afterAll(async () => {
  await t?.destroy();
});

/** Runs `pnpm gofer --host <server> --tls-ca <its certificate> …args` in cwd (inside the workspace). */
function pnpmGofer(args: readonly string[], cwd: string): Promise<CliResult> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    // Not the test runner's GOFER_* (nor npm_* of a `pnpm test`, which would make pnpm think it runs a script).
    if (value !== undefined && !key.startsWith("GOFER_") && !key.startsWith("npm_")) env[key] = value;
  }
  const tlsCa = join(t.dir, ".gofer-dev", "localhost-api.crt");
  return new Promise((resolve, reject) => {
    const child = spawn("pnpm", ["gofer", "--host", t.host, "--tls-ca", tlsCa, ...args], {
      cwd,
      env: { ...env, HOME: t.home },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

test("pnpm gofer --format json prints only the CLI's JSON, from the root and from a package directory", async () => {
  for (const cwd of [REPO_ROOT, join(REPO_ROOT, "packages", "server")]) {
    const result = await pnpmGofer(["--format", "json", "namespace", "list"], cwd);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const namespaces = parseJson<{ id: string }[]>(result);
    expect(namespaces.map((namespace) => namespace.id)).toContain("default");
  }
});

test("pnpm gofer passes the CLI's exit code and error through without pnpm's own lines", async () => {
  const result = await pnpmGofer(["--format", "json", "pipeline", "get", "no_such_pipeline"], REPO_ROOT);
  expect(result.code).toBe(4);
  expect(result.stdout).toBe("");
  expect(result.stderr).toMatch(/^gofer: /);
  expect(result.stderr).not.toMatch(/ELIFECYCLE|ERR_PNPM|gofer-ts@/);
});
