// A server stop fits in shutdown_timeout, whatever task_execution_stop_timeout says: a task that ignores SIGTERM is
// killed inside the budget (before: shutdown_timeout + the task's whole stop timeout, here 5 minutes), and the run is
// left for orphan repair, which then says the task's end was not observed.
import { readFileSync } from "node:fs";
import { TaskRun_TaskRunStatus, TaskRunStatusReason_Reason } from "@gofer/proto";
import { afterEach, describe, expect, test, vi } from "vitest";
import { INSTANCE_ENV, pidsWithEnv } from "../src/scheduler/process-scheduler.js";
import { intervalPipeline, startTestServer, type TestServer } from "./server-harness.js";

let servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.destroy()));
  servers = [];
});

const stubborn = () => {
  const pipeline = { ...intervalPipeline("stubborn"), triggers: [] };
  const task = pipeline.tasks[0]?.task;
  if (task?.$case === "customTask") task.value.command = ["sh", "-c", "trap '' TERM; while true; do sleep 0.2; done"];
  return pipeline;
};

const cmdline = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    return "";
  }
};

describe("shutdown budget", () => {
  test("a task that ignores SIGTERM is killed within shutdown_timeout; orphan repair then reports no exit code", async () => {
    const set = { "server.shutdown_timeout": "2s", task_execution_stop_timeout: "5m" };
    const first = await startTestServer({ set });
    servers.push(first);
    await first.api.createPipeline({ namespaceId: "default", pipelineConfig: stubborn() });
    await first.api.startRun({ namespaceId: "default", pipelineId: "stubborn", variables: {}, initiator: undefined });
    const instance = first.server.instanceId;
    let task: number[] = [];
    await vi.waitFor(
      () => {
        task = pidsWithEnv(INSTANCE_ENV, instance).filter((pid) => cmdline(pid).includes("trap"));
        expect(task.length).toBe(1);
      },
      { timeout: 10_000, interval: 50 },
    );

    await first.stop(); // with a 5 m stop timeout for the task, this would not return within the test's timeout
    expect(task.filter((pid) => cmdline(pid) !== "")).toEqual([]);

    const second = await startTestServer({ dir: first.dir, set });
    servers.push(second);
    await vi.waitFor(
      async () => {
        const taskRun = (
          await second.api.getTaskRun({ namespaceId: "default", pipelineId: "stubborn", runId: 1n, id: "hello" })
        ).taskRun;
        expect(taskRun?.status).toBe(TaskRun_TaskRunStatus.FAILED);
        expect(taskRun?.statusReason?.reason).toBe(TaskRunStatusReason_Reason.ORPHANED);
        expect(taskRun?.exitCode).toBe(0n); // the wire's "none": the CLI shows no exit code for an ORPHANED task run
      },
      { timeout: 10_000, interval: 100 },
    );
  }, 30_000);
});
