// No orphans on the process engine: after kill -9 of the server, its triggers exit by themselves (they watch their
// parent), and the next start of the same server kills what is left (task processes), found by its instance id.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, test, vi } from "vitest";
import { INSTANCE_ENV, pidsWithEnv } from "../src/scheduler/process-scheduler.js";
import { type ChildServer, intervalPipeline, startChildServer } from "./server-harness.js";

const WAIT = { timeout: 30_000, interval: 100 };
let servers: ChildServer[] = [];
let dirs: string[] = [];

afterEach(async () => {
  await Promise.all(servers.map((s) => s.kill("SIGKILL")));
  servers = [];
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});

function instanceIdOf(dir: string): string {
  const db = new Database(join(dir, "gofer.db"), { readonly: true });
  try {
    const row = db.prepare("select value from server_state where key = 'instance_id'").get() as { value: string };
    return row.value;
  } finally {
    db.close();
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return "";
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return cmdline(pid) !== ""; // a zombie has no command line
  } catch {
    return false;
  }
};

describe("no orphans (process engine)", () => {
  test("after kill -9 of the server its triggers exit, and the next start kills the tasks it left", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gofer-orphans-"));
    dirs.push(dir);
    const first = await startChildServer(dir);
    servers.push(first);
    await first.api.installTrigger({
      name: "interval",
      image: "gofer-trigger-interval:latest",
      user: "",
      pass: "",
      variables: { MIN_DURATION: "1s" },
    });
    const pipeline = intervalPipeline("sleepy");
    const task = pipeline.tasks[0]?.task;
    if (task?.$case === "customTask") task.value.command = ["sh", "-c", "sleep 300"];
    await first.api.createPipeline({ namespaceId: "default", pipelineConfig: pipeline });
    const instance = instanceIdOf(dir);

    let triggers: number[] = [];
    let tasks: number[] = [];
    await vi.waitFor(() => {
      const pids = pidsWithEnv(INSTANCE_ENV, instance);
      triggers = pids.filter((pid) => cmdline(pid).includes("triggers-interval"));
      tasks = pids.filter((pid) => cmdline(pid).startsWith("sleep 300"));
      expect(triggers.length).toBe(1);
      expect(tasks.length).toBeGreaterThanOrEqual(1);
    }, WAIT);

    await first.kill("SIGKILL");
    // The trigger notices its parent is gone and exits; the task processes do not know about Gofer and live on.
    await vi.waitFor(() => expect(triggers.filter(alive)).toEqual([]), WAIT);
    expect(tasks.filter(alive)).toEqual(tasks);

    const second = await startChildServer(dir);
    servers.push(second);
    await vi.waitFor(() => expect(tasks.filter(alive)).toEqual([]), WAIT);

    await second.kill("SIGTERM");
    expect(await second.exited).toBe(0);
    await vi.waitFor(() => expect(pidsWithEnv(INSTANCE_ENV, instance).filter(alive)).toEqual([]), WAIT);
  });
});
