import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHarness, type Harness, ref, runEvents } from "./runs-harness.js";

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await h.close();
});

function byId<T extends { id: string }>(items: T[]): Record<string, T> {
  return Object.fromEntries(items.map((item) => [item.id, item]));
}

describe("task DAG", () => {
  it("skips a task whose SUCCESS parent failed, runs FAILURE and ANY children, and fails the run", async () => {
    await h.addPipeline("dag", [
      { id: "build", command: "echo building; exit 3" },
      { id: "deploy", command: "echo deploying", dependsOn: { build: "SUCCESS" } },
      { id: "alert", command: "echo alerting", dependsOn: { build: "FAILURE" } },
      { id: "cleanup", command: "echo cleaning", dependsOn: { build: "ANY" } },
    ]);
    const started = await h.orchestrator.startRun("default", "dag", {});
    expect(started).toMatchObject({ id: 1, state: "PENDING", trigger: { name: "manual", label: "api" } });
    const run = await h.orchestrator.waitForRun(ref("dag", 1));

    expect(run).toMatchObject({
      state: "COMPLETE",
      status: "FAILED",
      statusReason: {
        reason: "ABNORMAL_EXIT",
        description: 'Task run "build" failed: Task run exited with abnormal exit code 3',
      },
      taskRunIds: ["alert", "build", "cleanup", "deploy"],
    });
    const tasks = byId(await h.orchestrator.store.findTaskRuns(ref("dag", 1)));
    expect(tasks.build).toMatchObject({ state: "COMPLETE", status: "FAILED", exitCode: 3 });
    expect(tasks.build?.statusReason).toEqual({
      reason: "ABNORMAL_EXIT",
      description: "Task run exited with abnormal exit code 3",
    });
    expect(tasks.deploy).toMatchObject({ state: "COMPLETE", status: "SKIPPED", started: null, exitCode: null });
    expect(tasks.deploy?.statusReason).toEqual({
      reason: "FAILED_PRECONDITION",
      description: 'Task could not be run due to unmet dependencies; parent "build" ended FAILED, required SUCCESS',
    });
    expect(tasks.alert).toMatchObject({ status: "SUCCESSFUL", exitCode: 0 });
    expect(tasks.cleanup).toMatchObject({ status: "SUCCESSFUL", exitCode: 0 });
    expect(tasks.alert?.schedulerId).toMatch(/^proc-/);
  });

  it("completes SUCCESSFUL when the failure handler is skipped", async () => {
    await h.addPipeline("ok", [
      { id: "build", command: "true" },
      { id: "deploy", command: "true", dependsOn: { build: "SUCCESS" } },
      { id: "alert", command: "true", dependsOn: { build: "FAILURE" } },
    ]);
    await h.orchestrator.startRun("default", "ok", {});
    const run = await h.orchestrator.waitForRun(ref("ok", 1));
    expect(run).toMatchObject({ status: "SUCCESSFUL", statusReason: null });
    const tasks = byId(await h.orchestrator.store.findTaskRuns(ref("ok", 1)));
    expect(tasks.alert?.status).toBe("SKIPPED");
    expect(tasks.deploy?.status).toBe("SUCCESSFUL");
  });

  it("starts independent tasks together", async () => {
    // Each task waits (at most ~5 s) for the other's marker file: both succeed only if they run at the same time.
    const wait = (mine: string, other: string) =>
      `touch ${h.dir}/${mine}; i=0; while [ ! -f ${h.dir}/${other} ]; do i=$((i+1)); [ $i -gt 250 ] && exit 1; sleep 0.02; done`;
    await h.addPipeline("pair", [
      { id: "left", command: wait("left", "right") },
      { id: "right", command: wait("right", "left") },
      { id: "after", command: "true", dependsOn: { left: "SUCCESS", right: "SUCCESS" } },
    ]);
    await h.orchestrator.startRun("default", "pair", {});
    const run = await h.orchestrator.waitForRun(ref("pair", 1));
    expect(run.status).toBe("SUCCESSFUL");
  });

  it("records each change as an event with the original's details", async () => {
    await h.addPipeline("events", [
      { id: "first", command: "true" },
      { id: "second", command: "exit 1", dependsOn: { first: "SUCCESS" } },
    ]);
    await h.orchestrator.startRun("default", "events", { GREETING: "hi" });
    await h.orchestrator.waitForRun(ref("events", 1));

    const base = { namespace_id: "default", pipeline_id: "events", run_id: 1 };
    const resolved = h.events.find((e) => e.kind === "RESOLVED_TRIGGER_EVENT");
    expect(resolved?.details).toEqual({
      namespace_id: "default",
      pipeline_id: "events",
      name: "manual",
      label: "api",
      result: { details: "triggered via API", state: "SUCCESS" },
      metadata: { GREETING: "hi" },
    });
    expect(runEvents(h.events, "events", 1)).toEqual([
      ["STARTED_RUN", base],
      ["CREATED_TASKRUN", { ...base, task_run_id: "first" }],
      ["CREATED_TASKRUN", { ...base, task_run_id: "second" }],
      ["STARTED_TASKRUN", { ...base, task_run_id: "first" }],
      ["COMPLETED_TASKRUN", { ...base, task_run_id: "first", status: "SUCCESSFUL" }],
      ["STARTED_TASKRUN", { ...base, task_run_id: "second" }],
      ["COMPLETED_TASKRUN", { ...base, task_run_id: "second", status: "FAILED" }],
      ["COMPLETED_RUN", { ...base, status: "FAILED" }],
    ]);
    // Stored as published: the persisted rows carry the same JSON.
    const stored = await h.database.db.selectFrom("events").selectAll().orderBy("id").execute();
    expect(stored.map((row) => [row.kind, JSON.parse(row.details)])).toEqual(
      h.events.map((event) => [event.kind, event.details]),
    );
  });

  it("fails a task the scheduler cannot start with SCHEDULER_ERROR and its message", async () => {
    await h.addPipeline("bad", [{ id: "missing", command: "x", entrypoint: ["/nonexistent/program"] }]);
    await h.orchestrator.startRun("default", "bad", {});
    const run = await h.orchestrator.waitForRun(ref("bad", 1));
    expect(run).toMatchObject({ status: "FAILED", statusReason: { reason: "SCHEDULER_ERROR" } });
    const [task] = await h.orchestrator.store.findTaskRuns(ref("bad", 1));
    expect(task).toMatchObject({ status: "FAILED", started: null, statusReason: { reason: "SCHEDULER_ERROR" } });
    expect(task?.statusReason?.description).toMatch(
      /^Task could not be run due to inability to be scheduled; could not start "busybox" as \["\/nonexistent\/program","x"\]: spawn \/nonexistent\/program ENOENT$/,
    );
  });

  it("fails a run whose task depends on a task the pipeline does not have", async () => {
    await h.addPipeline("common", [{ id: "build", command: "true", dependsOn: { lint: "SUCCESS" } }]);
    await h.orchestrator.startRun("default", "common", {});
    const run = await h.orchestrator.waitForRun(ref("common", 1));
    expect(run).toMatchObject({
      status: "FAILED",
      taskRunIds: [],
      statusReason: {
        reason: "FAILED_PRECONDITION",
        description: 'task "build" depends on "lint", which is not a task of the pipeline',
      },
    });
  });

  it("completes a run of a pipeline without tasks at once", async () => {
    await h.addPipeline("empty", []);
    await h.orchestrator.startRun("default", "empty", {});
    expect((await h.orchestrator.waitForRun(ref("empty", 1))).status).toBe("SUCCESSFUL");
  });
});
