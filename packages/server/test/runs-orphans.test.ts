import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { taskContainerLabels, taskContainerName } from "../src/runs/task-container.js";
import { insertRun } from "../src/storage/run-repository.js";
import type { RunState, TaskRecord, TaskRunState } from "../src/storage/schema.js";
import { insertTaskRun } from "../src/storage/task-run-repository.js";
import { collect, createHarness, type Harness, ref, runEvents } from "./runs-harness.js";

let h: Harness;
beforeEach(async () => {
  h = await createHarness({ config: { stopTimeoutMs: 5_000 } });
});
afterEach(async () => {
  await h.close();
});

function task(id: string, command: string, dependsOn: TaskRecord["depends_on"] = {}): TaskRecord {
  return {
    id,
    description: "",
    image: "busybox",
    registry_auth: null,
    depends_on: dependsOn,
    variables: [],
    entrypoint: null,
    command: [command],
  };
}

/** Writes the rows a crashed server would have left behind. */
async function leftBehind(
  pipelineId: string,
  state: RunState,
  taskRuns: Array<{ task: TaskRecord; state: TaskRunState; schedulerId: string | null }> = [],
) {
  const run = await insertRun(h.database.db, {
    namespace_id: "default",
    pipeline_id: pipelineId,
    started: 1,
    ended: null,
    state,
    status: "UNKNOWN",
    status_reason: null,
    trigger_name: "manual",
    trigger_label: "api",
    variables: [],
    store_objects_expired: false,
    event_id: null,
  });
  for (const taskRun of taskRuns) {
    await insertTaskRun(h.database.db, {
      namespace_id: "default",
      pipeline_id: pipelineId,
      run_id: run.id,
      id: taskRun.task.id,
      task: taskRun.task,
      created: 1,
      started: taskRun.state === "RUNNING" ? 2 : null,
      ended: null,
      exit_code: null,
      state: taskRun.state,
      status: "UNKNOWN",
      status_reason: null,
      logs_expired: false,
      logs_removed: false,
      variables: [],
      scheduler_id: taskRun.schedulerId,
    });
  }
  return run.id;
}

describe("orphan repair", () => {
  it("fails a RUNNING task run whose container the scheduler does not know as ORPHANED, and the DAG goes on", async () => {
    await h.addPipeline("crashed", []);
    const runId = await leftBehind("crashed", "RUNNING", [
      { task: task("lost", "sleep 30"), state: "RUNNING", schedulerId: "proc-999-gone" },
      { task: task("handler", "echo handled", { lost: "FAILURE" }), state: "WAITING", schedulerId: null },
    ]);
    await h.orchestrator.repairOrphans();
    const run = await h.orchestrator.waitForRun(ref("crashed", runId));

    expect(run).toMatchObject({
      status: "FAILED",
      statusReason: {
        reason: "SCHEDULER_ERROR",
        description:
          'Task run "lost" failed: Task run was left RUNNING and the process scheduler no longer knows its container "proc-999-gone"',
      },
    });
    const [handler, lost] = await h.orchestrator.store.findTaskRuns(ref("crashed", runId));
    expect(lost).toMatchObject({ state: "COMPLETE", status: "FAILED", statusReason: { reason: "ORPHANED" } });
    expect(handler).toMatchObject({ state: "COMPLETE", status: "SUCCESSFUL" });
    const base = { namespace_id: "default", pipeline_id: "crashed", run_id: runId };
    expect(runEvents(h.events, "crashed", runId)).toEqual([
      ["COMPLETED_TASKRUN", { ...base, task_run_id: "lost", status: "FAILED" }],
      ["STARTED_TASKRUN", { ...base, task_run_id: "handler" }],
      ["COMPLETED_TASKRUN", { ...base, task_run_id: "handler", status: "SUCCESSFUL" }],
      ["COMPLETED_RUN", { ...base, status: "FAILED" }],
    ]);
  });

  it("resubmits a PENDING run that never started, and it completes", async () => {
    await h.addPipeline("waiting", [{ id: "hello", command: "echo hello" }]);
    const runId = await leftBehind("waiting", "PENDING");
    await h.orchestrator.repairOrphans();
    const run = await h.orchestrator.waitForRun(ref("waiting", runId));
    expect(run).toMatchObject({ status: "SUCCESSFUL", taskRunIds: ["hello"] });
  });

  it("finds a container started just before the crash by its labels and follows it to the end", async () => {
    await h.addPipeline("labelled", []);
    const runId = await leftBehind("labelled", "RUNNING", [
      { task: task("build", "ignored"), state: "PROCESSING", schedulerId: null },
    ]);
    // The container the crashed server started but never recorded.
    await h.scheduler.start({
      name: taskContainerName(ref("labelled", runId), "build"),
      image: "busybox",
      env: {},
      command: ["echo from before; sleep 0.2; echo and after"],
      labels: taskContainerLabels(ref("labelled", runId), "build"),
    });
    await h.orchestrator.repairOrphans();
    const run = await h.orchestrator.waitForRun(ref("labelled", runId));
    expect(run.status).toBe("SUCCESSFUL");
    const [build] = await h.orchestrator.store.findTaskRuns(ref("labelled", runId));
    expect(build).toMatchObject({ status: "SUCCESSFUL", exitCode: 0, schedulerId: expect.stringMatching(/^proc-/) });
    const lines = await collect(await h.orchestrator.taskRunLogs(ref("labelled", runId), "build"));
    expect(lines.map((l) => l.line)).toEqual(["from before", "and after"]);
  });

  it("a stop after the grace period leaves the run RUNNING, and the next start records how its task ended", async () => {
    await h.addPipeline("cut", [
      { id: "long", command: "sleep 30" },
      { id: "later", command: "true", dependsOn: { long: "ANY" } },
    ]);
    await h.orchestrator.startRun("default", "cut", {});
    await h.event((e) => e.kind === "STARTED_TASKRUN");
    await h.orchestrator.stop(0);
    await h.orchestrator.stop(0); // twice is fine

    const rows = await h.orchestrator.store.findTaskRuns(ref("cut", 1));
    expect(rows.map((t) => [t.id, t.state])).toEqual([
      ["later", "WAITING"],
      ["long", "RUNNING"],
    ]);
    expect((await h.database.db.selectFrom("runs").select("state").executeTakeFirst())?.state).toBe("RUNNING");
    expect(h.events.some((e) => e.kind === "COMPLETED_RUN")).toBe(false);
    // A stopped orchestrator starts nothing new.
    await expect(h.orchestrator.startRun("default", "cut", {})).rejects.toThrow(
      "the server is stopping: no new runs are started",
    );

    // The same scheduler still knows the exited process: its exit code is recorded, and the DAG finishes.
    const restarted = h.restart();
    await restarted.repairOrphans();
    const run = await restarted.waitForRun(ref("cut", 1));
    expect(run.status).toBe("FAILED");
    const [later, long] = await h.orchestrator.store.findTaskRuns(ref("cut", 1));
    expect(long).toMatchObject({ status: "FAILED", exitCode: 143, statusReason: { reason: "ABNORMAL_EXIT" } });
    expect(later?.status).toBe("SUCCESSFUL");
  });

  it("a stop lets running runs finish within the grace period and leaves queued runs PENDING for the next start", async () => {
    await h.addPipeline("drain", [{ id: "short", command: "sleep 0.2" }], 1);
    await h.orchestrator.startRun("default", "drain", {});
    await h.orchestrator.startRun("default", "drain", {});
    await h.event((e) => e.kind === "STARTED_TASKRUN");
    await h.orchestrator.stop(10_000);
    const states = await h.database.db.selectFrom("runs").select(["id", "state", "status"]).orderBy("id").execute();
    expect(states).toEqual([
      { id: 1, state: "COMPLETE", status: "SUCCESSFUL" },
      { id: 2, state: "PENDING", status: "UNKNOWN" },
    ]);

    const restarted = h.restart();
    await restarted.repairOrphans();
    expect((await restarted.waitForRun(ref("drain", 2))).status).toBe("SUCCESSFUL");
  });

  it("RepairOrphan resubmits one run, and does nothing for a complete one", async () => {
    await h.addPipeline("one", [{ id: "hello", command: "true" }]);
    const runId = await leftBehind("one", "PENDING");
    await h.orchestrator.repairOrphan(ref("one", runId));
    await h.orchestrator.repairOrphan(ref("one", runId)); // already executing: nothing more
    expect((await h.orchestrator.waitForRun(ref("one", runId))).status).toBe("SUCCESSFUL");
    await h.orchestrator.repairOrphan(ref("one", runId));
    expect(h.events.filter((e) => e.kind === "STARTED_RUN")).toHaveLength(1);
    await expect(h.orchestrator.repairOrphan(ref("one", 5))).rejects.toThrow(
      'run 5 of pipeline "one" in namespace "default" not found',
    );
  });

  it("cancelling an orphaned run reconciles it first", async () => {
    await h.addPipeline("orphan", []);
    const runId = await leftBehind("orphan", "RUNNING", [
      { task: task("gone", "true"), state: "RUNNING", schedulerId: "proc-404" },
      { task: task("next", "true", { gone: "ANY" }), state: "WAITING", schedulerId: null },
    ]);
    await h.orchestrator.cancelRun(ref("orphan", runId));
    const run = await h.orchestrator.waitForRun(ref("orphan", runId));
    expect(run.status).toBe("CANCELLED");
    const [gone, next] = await h.orchestrator.store.findTaskRuns(ref("orphan", runId));
    expect(gone).toMatchObject({ status: "FAILED", statusReason: { reason: "ORPHANED" } });
    expect(next?.status).toBe("CANCELLED");
  });
});
