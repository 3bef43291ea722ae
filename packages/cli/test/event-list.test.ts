// `gofer event list --limit N --reverse --kind K --pipeline P [--follow]` against a real server.
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type CliTestServer, GOFER_BIN, startCliTestServer } from "./cli-harness.js";

interface EventJson {
  id: number;
  kind: string;
  details: Record<string, unknown>;
}

let t: CliTestServer;

async function events(args: readonly string[]): Promise<EventJson[]> {
  const result = await t.gofer(["event", "list", ...args, "--format", "json"]);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout
    .trim()
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as EventJson);
}

async function ok(args: readonly string[]): Promise<void> {
  const result = await t.gofer(args);
  expect(result.code, result.stderr).toBe(0);
}

beforeAll(async () => {
  t = await startCliTestServer();
  const pipeline = (id: string) => {
    const file = join(t.dir, `${id}.yaml`);
    writeFileSync(file, `id: ${id}\ntasks:\n  - {id: hello, image: busybox}\n`);
    return file;
  };
  await ok(["namespace", "create", "team", "Team"]);
  await ok(["pipeline", "create", pipeline("demo")]);
  await ok(["pipeline", "create", pipeline("other")]);
  await ok(["pipeline", "create", pipeline("demo"), "--namespace", "team"]);
  await ok(["pipeline", "disable", "demo"]);
});

afterAll(async () => {
  await t?.destroy();
});

test("--reverse --limit 2: the two newest, newest first; --limit 2 alone: the same two, oldest first", async () => {
  const all = await events([]);
  expect(all.length).toBeGreaterThan(4);
  expect(await events(["--reverse", "--limit", "2"])).toEqual(all.slice(-2).reverse());
  expect(await events(["-l", "2"])).toEqual(all.slice(-2));
});

test("--kind takes the wire name or the printed name, in any case", async () => {
  const created = await events(["--kind", "CREATED_PIPELINE"]);
  expect(created.map((e) => [e.details.namespace_id, e.details.pipeline_id])).toEqual([
    ["default", "demo"],
    ["default", "other"],
    ["team", "demo"],
  ]);
  expect(await events(["--kind", "created pipeline"])).toEqual(created);
  expect(await events(["-k", "Created_Pipeline"])).toEqual(created);
  const two = await events(["--kind", "created_pipeline", "--kind", "disabled pipeline"]);
  expect(two.map((e) => e.kind)).toEqual([
    "CREATED_PIPELINE",
    "CREATED_PIPELINE",
    "CREATED_PIPELINE",
    "DISABLED_PIPELINE",
  ]);
  const pretty = await t.gofer(["event", "list", "--kind", "CREATED_NAMESPACE", "--reverse", "--limit", "1"]);
  expect(pretty.stdout).toMatch(/^#\d+ {2}Created namespace {2}.* namespace_id=team\n$/);
});

test("--pipeline: only that pipeline's events, in the namespace acted in", async () => {
  const demo = await events(["--pipeline", "demo"]);
  expect(demo.map((e) => e.kind)).toEqual(["CREATED_PIPELINE", "DISABLED_PIPELINE"]);
  expect(demo.every((e) => e.details.namespace_id === "default" && e.details.pipeline_id === "demo")).toBe(true);
  const team = await events(["--pipeline", "demo", "--namespace", "team"]);
  expect(team.map((e) => [e.kind, e.details.namespace_id])).toEqual([["CREATED_PIPELINE", "team"]]);
  expect(await events(["--pipeline", "demo", "--kind", "disabled_pipeline", "--limit", "5"])).toEqual(demo.slice(1));
});

test("nothing matches: a note on stderr, nothing on stdout", async () => {
  const result = await t.gofer(["event", "list", "--kind", "STARTED_RUN"]);
  expect(result).toEqual({ code: 0, stdout: "", stderr: "No events.\n" });
});

test("--follow --limit 1 --kind CREATED_NAMESPACE: the newest match, then each new one", async () => {
  const child = spawn(
    GOFER_BIN,
    ["--host", t.host, "event", "list", "-f", "-l", "1", "-k", "CREATED_NAMESPACE", "--format", "json"],
    { cwd: t.dir, env: { PATH: process.env.PATH ?? "", HOME: t.home } },
  );
  try {
    const lines: EventJson[] = [];
    let partial = "";
    let onLine = () => {};
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      const parts = (partial + chunk).split("\n");
      partial = parts.pop() ?? "";
      for (const part of parts) lines.push(JSON.parse(part) as EventJson);
      onLine();
    });
    const until = (count: number) =>
      new Promise<void>((resolve) => {
        onLine = () => (lines.length >= count ? resolve() : undefined);
        onLine();
      });
    await until(1);
    expect(lines[0]?.details).toEqual({ namespace_id: "team" });
    await ok(["pipeline", "enable", "demo"]);
    await ok(["namespace", "create", "later", "Later"]);
    await until(2);
    expect(lines.map((e) => e.details.namespace_id)).toEqual(["team", "later"]);
  } finally {
    child.kill();
  }
});
