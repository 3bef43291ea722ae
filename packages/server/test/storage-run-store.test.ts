// RunStore's commits on both engines: a run starts with its task runs and the caller's writes in one commit, and its
// last task run and the run itself complete in one commit, with the caller's writes, or not at all.
import { FakeClock } from "@gofer/kernel";
import { beforeEach, expect, it } from "vitest";
import { EventLog } from "../src/events/event-log.js";
import { type Run, type TaskRun, toRun } from "../src/runs/run.js";
import type { RunRef } from "../src/runs/run-orchestrator.js";
import { RunStore } from "../src/runs/run-store.js";
import { runOutcome } from "../src/runs/task-graph.js";
import type { Database } from "../src/storage/database.js";
import { listEvents } from "../src/storage/event-repository.js";
import { insertNamespace } from "../src/storage/namespace-repository.js";
import { replacePipeline } from "../src/storage/pipeline-repository.js";
import { getRun, insertRun } from "../src/storage/run-repository.js";
import type { TaskRecord } from "../src/storage/schema.js";
import { getTaskRun, markTaskRunComplete } from "../src/storage/task-run-repository.js";
import { getToken, insertToken } from "../src/storage/token-repository.js";
import { describeEachStorageEngine } from "./storage-engines.js";
import { newRunRow, pipelineRow } from "./storage-fixtures.js";
import { useTempDatabase } from "./temp-database.js";

const TASK: TaskRecord = {
  id: "only",
  description: "",
  image: "alpine:3",
  registry_auth: null,
  depends_on: {},
  variables: [],
  entrypoint: [],
  command: ["true"],
};

const TOKEN = {
  hash: "run-token-hash",
  kind: "CLIENT" as const,
  namespaces: ["default"],
  metadata: {},
  created: 1,
  expires: 2,
  disabled: false,
};

describeEachStorageEngine("RunStore commits", (engine) => {
  const temp = useTempDatabase(engine);
  let database: Database;
  let store: RunStore;
  let run: Run;
  let ref: RunRef;

  beforeEach(async () => {
    database = temp.database;
    const clock = new FakeClock(new Date(1_000));
    store = new RunStore(database.db, clock, new EventLog(database.db, clock));
    await insertNamespace(database.db, { id: "default", name: "Default", description: "", created: 1, modified: 1 });
    await replacePipeline(database.db, { pipeline: pipelineRow("default", "p"), tasks: [], subscriptions: [] });
    run = toRun(await insertRun(database.db, newRunRow("default", "p")), []);
    ref = { namespaceId: "default", pipelineId: "p", runId: run.id };
  });

  const eventKinds = async () =>
    (await listEvents(database.db, { limit: 100, reverse: false })).map((event) => event.kind);
  const outcome = (stored: TaskRun[] | undefined) =>
    runOutcome(stored ?? [{ id: "only", status: "SUCCESSFUL", statusReason: null }]);

  it("starts the run with its task runs and the caller's writes in one commit", async () => {
    const taskRuns = await store.startRun(
      run,
      async () => [TASK],
      (trx) => insertToken(trx, TOKEN),
    );
    expect(taskRuns?.map((t) => [t.id, t.state])).toEqual([["only", "PROCESSING"]]);
    expect((await getRun(database.db, "default", "p", run.id))?.state).toBe("RUNNING");
    expect(await getToken(database.db, TOKEN.hash)).toBeDefined();
    expect(await eventKinds()).toEqual(["STARTED_RUN", "CREATED_TASKRUN"]);
  });

  it("completes the last task run and the run in one commit, with the caller's writes", async () => {
    await store.startRun(
      run,
      async () => [TASK],
      (trx) => insertToken(trx, TOKEN),
    );
    const changed = await store.completeLastTaskRun(
      ref,
      "only",
      { status: "SUCCESSFUL", reason: null, exitCode: 0 },
      outcome,
      async (trx) => {
        await trx.deleteFrom("tokens").where("hash", "=", TOKEN.hash).execute();
      },
    );
    expect(changed).toBe(true);
    expect(await getTaskRun(database.db, "default", "p", run.id, "only")).toMatchObject({
      state: "COMPLETE",
      status: "SUCCESSFUL",
      exit_code: 0,
    });
    expect(await getRun(database.db, "default", "p", run.id)).toMatchObject({
      state: "COMPLETE",
      status: "SUCCESSFUL",
    });
    expect(await getToken(database.db, TOKEN.hash)).toBeUndefined();
    expect(await eventKinds()).toEqual(["STARTED_RUN", "CREATED_TASKRUN", "COMPLETED_TASKRUN", "COMPLETED_RUN"]);
  });

  it("decides the run's status from the stored task runs when the task run was COMPLETE already", async () => {
    await store.startRun(run, async () => [TASK]);
    await markTaskRunComplete(
      database.db,
      { namespaceId: "default", pipelineId: "p", runId: run.id, id: "only" },
      { status: "FAILED", status_reason: { reason: "ORPHANED", description: "gone" }, exit_code: null, ended: 5 },
    );
    const changed = await store.completeLastTaskRun(
      ref,
      "only",
      { status: "SUCCESSFUL", reason: null, exitCode: 0 },
      outcome,
    );
    expect(changed).toBe(false);
    expect(await getTaskRun(database.db, "default", "p", run.id, "only")).toMatchObject({ status: "FAILED" });
    expect(await getRun(database.db, "default", "p", run.id)).toMatchObject({
      state: "COMPLETE",
      status: "FAILED",
      status_reason: { reason: "SCHEDULER_ERROR", description: 'Task run "only" failed: gone' },
    });
    expect(await eventKinds()).toEqual(["STARTED_RUN", "CREATED_TASKRUN", "COMPLETED_RUN"]);
  });

  it("writes nothing when the caller's writes fail", async () => {
    await store.startRun(run, async () => [TASK]);
    await expect(
      store.completeLastTaskRun(ref, "only", { status: "SUCCESSFUL", reason: null, exitCode: 0 }, outcome, async () => {
        throw new Error("disk full");
      }),
    ).rejects.toThrow("disk full");
    expect(await getTaskRun(database.db, "default", "p", run.id, "only")).toMatchObject({ state: "PROCESSING" });
    expect(await getRun(database.db, "default", "p", run.id)).toMatchObject({ state: "RUNNING" });
    expect(await eventKinds()).toEqual(["STARTED_RUN", "CREATED_TASKRUN"]);
  });
});
