// Task log files: one flat file per task run in its pipeline's directory, and logs written before that layout (a
// directory per run) still read, found and removed where they are.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { TaskLogs } from "../src/runs/task-logs.js";

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const ref = (runId: number) => ({ namespaceId: "default", pipelineId: "p", runId });

async function lines(logs: TaskLogs, runId: number, taskId: string): Promise<string[]> {
  const read: string[] = [];
  for await (const { line } of logs.read(ref(runId), taskId)) read.push(line);
  return read;
}

it("writes one file per task run in the pipeline's directory, with no directory per run", async () => {
  dir = mkdtempSync(join(tmpdir(), "task-logs-"));
  const logs = new TaskLogs(dir);
  const writer = logs.open(ref(12), "build_x");
  await writer.write("hello");
  await writer.close();
  logs.end(ref(12), "build_x");
  expect(readdirSync(join(dir, "default", "p"))).toEqual(["12_build_x.log"]);
  expect(await lines(logs, 12, "build_x")).toEqual(["hello"]);
});

it("reads, finds and removes a log written in the earlier layout, a directory per run", async () => {
  dir = mkdtempSync(join(tmpdir(), "task-logs-"));
  const old = join(dir, "default", "p", "3");
  mkdirSync(old, { recursive: true });
  writeFileSync(join(old, "test.log"), "one\ntwo\n");
  const logs = new TaskLogs(dir);
  expect(await logs.exists(ref(3), "test")).toBe(true);
  expect(await lines(logs, 3, "test")).toEqual(["one", "two"]);
  await logs.remove(ref(3), "test");
  expect(existsSync(join(old, "test.log"))).toBe(false);
  expect(await logs.exists(ref(3), "test")).toBe(false);
});
