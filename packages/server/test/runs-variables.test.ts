import { systemClock } from "@gofer/kernel";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { storeEvent } from "../src/events/event-writer.js";
import { createPendingRun } from "../src/runs/run-creation.js";
import { insertRun } from "../src/storage/run-repository.js";
import { transaction } from "../src/storage/transaction.js";
import { collect, createHarness, type Harness, ref, runEvents } from "./runs-harness.js";

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await h.close();
});

const PRINT =
  'for k in GOFER_NAMESPACE_ID GOFER_PIPELINE_ID GOFER_RUN_ID GOFER_TASK_ID GOFER_TASK_IMAGE A B C D; do eval "echo $k=\\$$k"; done';

async function logLines(pipelineId: string, runId: number, taskId: string): Promise<string[]> {
  const lines = await collect(await h.orchestrator.taskRunLogs(ref(pipelineId, runId), taskId));
  return lines.map((l) => l.line);
}

describe("task run variables", () => {
  it("gives system, pipeline, run-option and trigger variables with later sources winning", async () => {
    await h.addPipeline("vars", [
      { id: "show", command: PRINT, variables: { A: "config", B: "config", C: "config", D: "config" } },
    ]);
    // A run carrying both options and metadata (a retried triggered run can): metadata beats options.
    await insertRun(h.database.db, {
      namespace_id: "default",
      pipeline_id: "vars",
      started: 1,
      ended: null,
      state: "PENDING",
      status: "UNKNOWN",
      status_reason: null,
      trigger_name: "interval",
      trigger_label: "every",
      variables: [
        { key: "B", value: "options", source: "RUN_OPTIONS" },
        { key: "C", value: "trigger", source: "TRIGGER" },
        { key: "D", value: "options", source: "RUN_OPTIONS" },
        { key: "GOFER_TASK_IMAGE", value: "options", source: "RUN_OPTIONS" },
      ],
      store_objects_expired: false,
      event_id: null,
    });
    await insertRun(h.database.db, {
      namespace_id: "default",
      pipeline_id: "vars",
      started: 2,
      ended: null,
      state: "PENDING",
      status: "UNKNOWN",
      status_reason: null,
      trigger_name: "interval",
      trigger_label: "every",
      variables: [
        { key: "D", value: "trigger", source: "TRIGGER" },
        { key: "D", value: "ignored", source: "RUN_OPTIONS" },
      ],
      store_objects_expired: false,
      event_id: null,
    });
    h.orchestrator.submit(ref("vars", 1));
    h.orchestrator.submit(ref("vars", 2));
    await h.orchestrator.waitForRun(ref("vars", 1));
    await h.orchestrator.waitForRun(ref("vars", 2));

    expect(await logLines("vars", 1, "show")).toEqual([
      "GOFER_NAMESPACE_ID=default",
      "GOFER_PIPELINE_ID=vars",
      "GOFER_RUN_ID=1",
      "GOFER_TASK_ID=show",
      "GOFER_TASK_IMAGE=options",
      "A=config",
      "B=options",
      "C=trigger",
      "D=options",
    ]);
    expect((await logLines("vars", 2, "show")).slice(-1)).toEqual(["D=trigger"]);

    const taskRun = await h.orchestrator.store.findTaskRun(ref("vars", 1), "show");
    expect(taskRun.variables).toEqual([
      { key: "A", value: "config", source: "PIPELINE_CONFIG" },
      { key: "B", value: "options", source: "RUN_OPTIONS" },
      { key: "C", value: "trigger", source: "TRIGGER" },
      { key: "D", value: "options", source: "RUN_OPTIONS" },
      { key: "GOFER_NAMESPACE_ID", value: "default", source: "SYSTEM" },
      { key: "GOFER_PIPELINE_ID", value: "vars", source: "SYSTEM" },
      { key: "GOFER_RUN_ID", value: "1", source: "SYSTEM" },
      { key: "GOFER_TASK_ID", value: "show", source: "SYSTEM" },
      { key: "GOFER_TASK_IMAGE", value: "options", source: "RUN_OPTIONS" },
    ]);
  });

  it("StartRun's variables reach the task as RUN_OPTIONS over the pipeline's", async () => {
    await h.addPipeline("manual", [{ id: "show", command: PRINT, variables: { A: "config", B: "config" } }]);
    const run = await h.orchestrator.startRun("default", "manual", { B: "options" });
    expect(run.variables).toEqual([{ key: "B", value: "options", source: "RUN_OPTIONS" }]);
    await h.orchestrator.waitForRun(ref("manual", 1));
    const lines = await logLines("manual", 1, "show");
    expect(lines).toContain("A=config");
    expect(lines).toContain("B=options");
  });

  it("a trigger-started run gets its metadata as TRIGGER variables, and emits STARTED_RUN too", async () => {
    await h.addPipeline("triggered", [{ id: "show", command: PRINT, variables: { C: "config" } }]);
    const created = await transaction(h.database.db, async (trx) => {
      const { ref } = await createPendingRun(trx, {
        namespaceId: "default",
        pipelineId: "triggered",
        started: systemClock.now().getTime(),
        trigger: { name: "interval", label: "every" },
        variables: [{ key: "C", value: "metadata", source: "TRIGGER" }],
        firedEventId: 41,
      });
      const resolved = await storeEvent(trx, systemClock, "RESOLVED_TRIGGER_EVENT", {
        namespace_id: "default",
        pipeline_id: "triggered",
        name: "interval",
        label: "every",
        result: { details: "", state: "SUCCESS" },
        metadata: { C: "metadata" },
      });
      return { run: ref, resolved };
    });
    expect(created.run).toEqual(ref("triggered", 1));
    expect(created.resolved).toMatchObject({
      kind: "RESOLVED_TRIGGER_EVENT",
      details: { metadata: { C: "metadata" } },
    });
    h.eventLog.publish(created.resolved);
    h.orchestrator.submit(created.run);
    const run = await h.orchestrator.waitForRun(created.run);
    expect(run).toMatchObject({ status: "SUCCESSFUL", eventId: 41, trigger: { name: "interval", label: "every" } });
    expect(await logLines("triggered", 1, "show")).toContain("C=metadata");
    expect(runEvents(h.events, "triggered", 1)[0]).toEqual([
      "STARTED_RUN",
      { namespace_id: "default", pipeline_id: "triggered", run_id: 1 },
    ]);
  });

  it("RetryRun starts a new run with the same variables and sources", async () => {
    await h.addPipeline("retry", [{ id: "show", command: PRINT }]);
    await h.orchestrator.startRun("default", "retry", { A: "first" });
    await h.orchestrator.waitForRun(ref("retry", 1));
    const retried = await h.orchestrator.retryRun(ref("retry", 1));
    expect(retried).toMatchObject({ id: 2, variables: [{ key: "A", value: "first", source: "RUN_OPTIONS" }] });
    await h.orchestrator.waitForRun(ref("retry", 2));
    expect(await logLines("retry", 2, "show")).toContain("A=first");
    await expect(h.orchestrator.retryRun(ref("retry", 9))).rejects.toThrow(
      'run 9 of pipeline "retry" in namespace "default" not found',
    );
  });

  it("StartRun refuses a missing or disabled pipeline", async () => {
    await expect(h.orchestrator.startRun("default", "nope", {})).rejects.toThrow(
      'pipeline "nope" in namespace "default" not found',
    );
    await h.addPipeline("off", []);
    await h.database.db.updateTable("pipelines").set({ state: "DISABLED" }).where("id", "=", "off").execute();
    await expect(h.orchestrator.startRun("default", "off", {})).rejects.toThrow(
      'pipeline "off" in namespace "default" is DISABLED: enable it before starting a run',
    );
  });
});
