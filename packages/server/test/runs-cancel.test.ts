import { FakeClock } from "@gofer/kernel";
import { afterEach, describe, expect, it } from "vitest";
import { FailedPreconditionError } from "../src/errors.js";
import { createHarness, type Harness, ref } from "./runs-harness.js";

let h: Harness;
afterEach(async () => {
  await h.close();
});

/** Ignores SIGTERM (and so does its sleep, which inherits the ignored signal): only a kill ends it. */
const STUBBORN = 'trap "" TERM; echo ready; sleep 30';

function startedTask(taskId: string, runId = 1) {
  return h.event((e) => e.kind === "STARTED_TASKRUN" && e.details.task_run_id === taskId && e.details.run_id === runId);
}

/** Resolves once the task has printed its first line (its trap is set). */
async function firstLine(pipelineId: string, taskId: string): Promise<string> {
  const reading = new AbortController();
  for await (const { line } of await h.orchestrator.taskRunLogs(ref(pipelineId, 1), taskId, reading.signal)) {
    reading.abort();
    return line;
  }
  throw new Error(`task ${taskId} printed nothing`);
}

describe("cancelling runs", () => {
  it("a task that ignores SIGTERM is killed after the stop timeout and the run ends CANCELLED", async () => {
    const clock = new FakeClock();
    h = await createHarness({ clock, config: { stopTimeoutMs: 10_000 } });
    await h.addPipeline("stubborn", [
      { id: "hold", command: STUBBORN },
      { id: "next", command: "true", dependsOn: { hold: "ANY" } },
    ]);
    await h.orchestrator.startRun("default", "stubborn", {});
    await startedTask("hold");
    expect(await firstLine("stubborn", "hold")).toBe("ready");

    let cancelled = false;
    const cancelling = h.orchestrator.cancelRun(ref("stubborn", 1)).then(() => {
      cancelled = true;
    });
    await clock.waitForSleepers(1); // the scheduler's kill timer
    await clock.advance(9_999);
    expect(cancelled).toBe(false);
    await clock.advance(1);
    await cancelling;

    const run = await h.orchestrator.waitForRun(ref("stubborn", 1));
    expect(run).toMatchObject({
      status: "CANCELLED",
      statusReason: { reason: "USER_CANCELLED", description: "Run was cancelled by a user" },
    });
    const [hold, next] = await h.orchestrator.store.findTaskRuns(ref("stubborn", 1));
    expect(hold).toMatchObject({
      status: "CANCELLED",
      exitCode: 137,
      statusReason: { reason: "CANCELLED", description: "Task run was cancelled (exit code 137)" },
    });
    expect(next).toMatchObject({
      status: "CANCELLED",
      started: null,
      statusReason: { reason: "CANCELLED", description: "Task run was cancelled before it started" },
    });
  });

  it("force kills at once", async () => {
    h = await createHarness({ config: { stopTimeoutMs: 60_000 } });
    await h.addPipeline("stubborn", [{ id: "hold", command: STUBBORN }]);
    await h.orchestrator.startRun("default", "stubborn", {});
    await startedTask("hold");
    expect(await firstLine("stubborn", "hold")).toBe("ready");
    await h.orchestrator.cancelRun(ref("stubborn", 1), { force: true, reason: "ADMIN_CANCELLED" });
    const run = await h.orchestrator.waitForRun(ref("stubborn", 1));
    expect(run).toMatchObject({
      status: "CANCELLED",
      statusReason: { reason: "ADMIN_CANCELLED", description: "Run was cancelled by an admin" },
    });
  });

  it("a task that obeys SIGTERM ends at once without force", async () => {
    h = await createHarness({ config: { stopTimeoutMs: 60_000 } });
    await h.addPipeline("polite", [{ id: "hold", command: "sleep 30" }]);
    await h.orchestrator.startRun("default", "polite", {});
    await startedTask("hold");
    await h.orchestrator.cancelRun(ref("polite", 1));
    const [hold] = await h.orchestrator.store.findTaskRuns(ref("polite", 1));
    expect(hold).toMatchObject({ status: "CANCELLED", exitCode: 143 });
  });

  it("cancelling one task run skips what required it and ends the run CANCELLED", async () => {
    h = await createHarness();
    await h.addPipeline("one", [
      { id: "hold", command: "sleep 30" },
      { id: "free", command: "true" },
      { id: "after", command: "true", dependsOn: { hold: "ANY" } },
    ]);
    await h.orchestrator.startRun("default", "one", {});
    await startedTask("hold");
    await h.orchestrator.cancelTaskRun(ref("one", 1), "hold");
    const run = await h.orchestrator.waitForRun(ref("one", 1));
    expect(run).toMatchObject({
      status: "CANCELLED",
      statusReason: { reason: "USER_CANCELLED", description: 'Task run "hold" was cancelled' },
    });
    const tasks = Object.fromEntries((await h.orchestrator.store.findTaskRuns(ref("one", 1))).map((t) => [t.id, t]));
    expect(tasks.hold?.status).toBe("CANCELLED");
    expect(tasks.free?.status).toBe("SUCCESSFUL");
    expect(tasks.after).toMatchObject({
      status: "SKIPPED",
      statusReason: {
        reason: "FAILED_PRECONDITION",
        description: 'Task could not be run due to unmet dependencies; parent "hold" ended CANCELLED, required ANY',
      },
    });
    await expect(h.orchestrator.cancelTaskRun(ref("one", 1), "hold")).rejects.toThrow(
      'task run "hold" of run 1 of pipeline "one" in namespace "default" is already complete (CANCELLED)',
    );
    await expect(h.orchestrator.cancelTaskRun(ref("one", 1), "nope")).rejects.toThrow(
      'task run "nope" of run 1 of pipeline "one" in namespace "default" not found',
    );
  });

  it("a run waiting for a parallelism slot is cancelled without starting", async () => {
    h = await createHarness();
    await h.addPipeline("queued", [{ id: "hold", command: "sleep 30" }], 1);
    await h.orchestrator.startRun("default", "queued", {});
    await h.orchestrator.startRun("default", "queued", {});
    await startedTask("hold");
    await h.orchestrator.cancelRun(ref("queued", 2));
    const second = await h.orchestrator.waitForRun(ref("queued", 2));
    expect(second).toMatchObject({ status: "CANCELLED", taskRunIds: [] });
    expect(h.events.some((e) => e.kind === "STARTED_RUN" && e.details.run_id === 2)).toBe(false);

    expect(await h.orchestrator.cancelAllRuns("default", "queued", { force: true })).toEqual([1]);
    expect((await h.orchestrator.waitForRun(ref("queued", 1))).status).toBe("CANCELLED");
    await expect(h.orchestrator.cancelRun(ref("queued", 1))).rejects.toThrow(FailedPreconditionError);
    await expect(h.orchestrator.cancelRun(ref("queued", 1))).rejects.toThrow(
      'run 1 of pipeline "queued" in namespace "default" is already complete (CANCELLED)',
    );
  });

  it("CancelAllRuns cancels every unfinished run of the pipeline and names them", async () => {
    h = await createHarness();
    await h.addPipeline("many", [{ id: "hold", command: "sleep 30" }]);
    await h.addPipeline("elsewhere", [{ id: "hold", command: "sleep 30" }]);
    for (let i = 0; i < 3; i++) await h.orchestrator.startRun("default", "many", {});
    await h.orchestrator.startRun("default", "elsewhere", {});
    await Promise.all([1, 2, 3].map((runId) => startedTask("hold", runId)));
    expect((await h.orchestrator.cancelAllRuns("default", "many")).sort()).toEqual([1, 2, 3]);
    for (const id of [1, 2, 3]) expect((await h.orchestrator.waitForRun(ref("many", id))).status).toBe("CANCELLED");
    const other = await h.database.db
      .selectFrom("runs")
      .select("state")
      .where("pipeline_id", "=", "elsewhere")
      .execute();
    expect(other).toEqual([{ state: "RUNNING" }]);
  });
});
