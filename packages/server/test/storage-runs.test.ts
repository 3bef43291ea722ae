import { beforeEach, describe, expect, it } from "vitest";
import { isForeignKeyViolation } from "../src/storage/constraint-violation.js";
import type { Database } from "../src/storage/database.js";
import { insertEvent, listEvents } from "../src/storage/event-repository.js";
import { insertNamespace } from "../src/storage/namespace-repository.js";
import { replacePipeline } from "../src/storage/pipeline-repository.js";
import {
  countRunsByState,
  getRun,
  insertRun,
  listRuns,
  listRunsByState,
  listRunsWithUnexpiredObjects,
  markRunComplete,
  markRunObjectsExpired,
  markRunStarted,
  type NewRunRow,
  updateRun,
} from "../src/storage/run-repository.js";
import type { TaskRecord, TaskRunRow } from "../src/storage/schema.js";
import {
  getTaskRun,
  insertTaskRun,
  insertTaskRuns,
  listExpirableTaskRuns,
  listTaskRuns,
  listTaskRunsByState,
  markTaskRunComplete,
  markTaskRunLogsExpired,
  markTaskRunStarted,
  updateTaskRun,
} from "../src/storage/task-run-repository.js";
import { transaction } from "../src/storage/transaction.js";
import { describeEachStorageEngine } from "./storage-engines.js";
import { pipelineRow, taskRunRow } from "./storage-fixtures.js";
import { useTempDatabase } from "./temp-database.js";

describeEachStorageEngine("run storage", (engine) => {
  const temp = useTempDatabase(engine);
  let database: Database;
  beforeEach(async () => {
    database = temp.database;
    await insertNamespace(database.db, { id: "default", name: "Default", description: "", created: 1, modified: 1 });
    for (const id of ["alpha", "beta"]) {
      await replacePipeline(database.db, {
        pipeline: pipelineRow("default", id),
        tasks: [],
        subscriptions: [],
      });
    }
  });

  function newRun(pipelineId: string, started = 10): NewRunRow {
    return {
      namespace_id: "default",
      pipeline_id: pipelineId,
      started,
      ended: null,
      state: "PENDING",
      status: "UNKNOWN",
      status_reason: null,
      trigger_name: "interval",
      trigger_label: "every",
      variables: [{ key: "EVERY", value: "1m", source: "TRIGGER" }],
      store_objects_expired: false,
      event_id: 7,
    };
  }

  const TASK: TaskRecord = {
    id: "build",
    description: "",
    image: "ubuntu",
    registry_auth: null,
    depends_on: {},
    variables: [],
    entrypoint: null,
    command: ["make"],
  };

  /** A task run of alpha's run `runId`: "build", PROCESSING, unless `changes` say otherwise. */
  function newTaskRun(runId: number, changes: Partial<TaskRunRow> = {}): TaskRunRow {
    return taskRunRow({ namespace_id: "default", pipeline_id: "alpha", run_id: runId }, TASK, {
      created: 11,
      variables: [{ key: "A", value: "b", source: "SYSTEM" }],
      ...changes,
    });
  }

  describe("run ids", () => {
    it("count 1, 2, 3… per pipeline even when runs are inserted concurrently", async () => {
      const inserts = Array.from({ length: 40 }, (_, i) =>
        insertRun(database.db, newRun(i % 2 === 0 ? "alpha" : "beta")),
      );
      const runs = await Promise.all(inserts);
      const idsOf = (pipelineId: string) =>
        runs
          .filter((r) => r.pipeline_id === pipelineId)
          .map((r) => r.id)
          .sort((a, b) => a - b);
      const oneToTwenty = Array.from({ length: 20 }, (_, i) => i + 1);
      expect(idsOf("alpha")).toEqual(oneToTwenty);
      expect(idsOf("beta")).toEqual(oneToTwenty);
    });

    it("are allocated inside a caller's transaction and released when it rolls back", async () => {
      await expect(
        transaction(database.db, async (trx) => {
          const event = await insertEvent(trx, { kind: "FIRED_TRIGGER_EVENT", details: "{}", emitted: 5 });
          const run = await insertRun(trx, { ...newRun("alpha"), event_id: event.id });
          expect(run.id).toBe(1);
          throw new Error("scheduler refused");
        }),
      ).rejects.toThrow("scheduler refused");
      expect(await listEvents(database.db, { reverse: false, limit: 10 })).toEqual([]);
      expect((await insertRun(database.db, newRun("alpha"))).id).toBe(1);
    });

    it("need an existing pipeline", async () => {
      const error = await insertRun(database.db, newRun("missing")).catch((e: unknown) => e);
      expect(isForeignKeyViolation(error)).toBe(true);
    });
  });

  describe("runs", () => {
    it("round-trip every column", async () => {
      const inserted = await insertRun(database.db, newRun("alpha"));
      expect(inserted).toEqual({ ...newRun("alpha"), id: 1 });
      expect(await getRun(database.db, "default", "alpha", 1)).toEqual(inserted);
      expect(await getRun(database.db, "default", "beta", 1)).toBeUndefined();
    });

    it("are listed newest first, a page at a time", async () => {
      for (let i = 0; i < 5; i++) await insertRun(database.db, newRun("alpha"));
      const page = (offset: number, limit: number) =>
        listRuns(database.db, { namespaceId: "default", pipelineId: "alpha", offset, limit }).then((rows) =>
          rows.map((r) => r.id),
        );
      expect(await page(0, 2)).toEqual([5, 4]);
      expect(await page(2, 2)).toEqual([3, 2]);
      expect(await page(4, 2)).toEqual([1]);
    });

    it("record state changes and can be found by state", async () => {
      await insertRun(database.db, newRun("alpha", 10));
      await insertRun(database.db, newRun("alpha", 20));
      await insertRun(database.db, newRun("beta", 15));
      expect(
        await updateRun(database.db, "default", "alpha", 1, {
          state: "COMPLETE",
          status: "FAILED",
          status_reason: { reason: "ABNORMAL_EXIT", description: "task build exited 2" },
          ended: 30,
          store_objects_expired: true,
        }),
      ).toBe(true);
      expect(await getRun(database.db, "default", "alpha", 1)).toMatchObject({
        state: "COMPLETE",
        status: "FAILED",
        status_reason: { reason: "ABNORMAL_EXIT", description: "task build exited 2" },
        ended: 30,
        store_objects_expired: true,
      });
      expect(await updateRun(database.db, "default", "alpha", 99, { state: "RUNNING" })).toBe(false);

      const unfinished = await listRunsByState(database.db, { states: ["PENDING", "RUNNING"] });
      expect(unfinished.map((r) => `${r.pipeline_id}#${r.id}`)).toEqual(["beta#1", "alpha#2"]);
      expect(
        await countRunsByState(database.db, {
          states: ["PENDING", "RUNNING"],
          namespaceId: "default",
          pipelineId: "alpha",
        }),
      ).toBe(1);
    });
  });

  describe("task runs", () => {
    it("round-trip, change state and expire logs per run", async () => {
      const run = await insertRun(database.db, newRun("alpha"));
      const taskRun = newTaskRun(run.id);
      await insertTaskRun(database.db, taskRun);
      await insertTaskRun(database.db, { ...taskRun, id: "test", created: 12 });
      expect(await getTaskRun(database.db, "default", "alpha", run.id, "build")).toEqual(taskRun);

      await updateTaskRun(database.db, "default", "alpha", run.id, "build", {
        state: "COMPLETE",
        status: "FAILED",
        exit_code: 2,
        started: 12,
        ended: 13,
        status_reason: { reason: "ABNORMAL_EXIT", description: "exit 2" },
        scheduler_id: "gofer_default_alpha_1_build",
      });
      expect(await getTaskRun(database.db, "default", "alpha", run.id, "build")).toMatchObject({
        state: "COMPLETE",
        exit_code: 2,
        scheduler_id: "gofer_default_alpha_1_build",
      });
      expect((await listTaskRunsByState(database.db, { states: ["PROCESSING"] })).map((t) => t.id)).toEqual(["test"]);

      expect(await markTaskRunLogsExpired(database.db, "default", "alpha", run.id)).toBe(2);
      const listed = await listTaskRuns(database.db, "default", "alpha", run.id);
      expect(listed.map((t) => [t.id, t.logs_expired])).toEqual([
        ["build", true],
        ["test", true],
      ]);
    });

    it("log expiry candidates: task runs of complete runs past the newest N, within the window, not yet expired", async () => {
      // alpha runs 1…6, each with task runs "a" and "b"; run 3 is still RUNNING, run 2's logs expired already.
      for (let n = 1; n <= 6; n++) {
        const run = await insertRun(database.db, newRun("alpha", n));
        for (const id of ["a", "b"]) {
          await insertTaskRun(
            database.db,
            newTaskRun(run.id, { id, task: { ...TASK, id }, created: n, state: "COMPLETE", status: "SUCCESSFUL" }),
          );
        }
        await updateRun(database.db, "default", "alpha", run.id, { state: n === 3 ? "RUNNING" : "COMPLETE" });
      }
      await markTaskRunLogsExpired(database.db, "default", "alpha", 2);
      // beta's runs never count for alpha.
      await insertRun(database.db, newRun("beta"));

      const keepTwo = await listExpirableTaskRuns(database.db, "default", "alpha", { offset: 2, limit: 50 });
      expect(keepTwo.map((t) => `${t.run_id}${t.id}`)).toEqual(["1a", "1b", "4a", "4b"]);
      // The window is counted in runs, newest first after the kept ones: runs 4 and 3 only.
      const narrow = await listExpirableTaskRuns(database.db, "default", "alpha", { offset: 2, limit: 2 });
      expect(narrow.map((t) => `${t.run_id}${t.id}`)).toEqual(["4a", "4b"]);
      expect(await listExpirableTaskRuns(database.db, "default", "alpha", { offset: 6, limit: 50 })).toEqual([]);
    });
  });

  describe("guarded state changes", () => {
    it("start a run only while PENDING and complete it only once, the first completion kept", async () => {
      const { id } = await insertRun(database.db, newRun("alpha"));
      expect(await markRunStarted(database.db, "default", "alpha", id)).toBe(true);
      expect(await markRunStarted(database.db, "default", "alpha", id)).toBe(false);
      const cancelled = { status: "CANCELLED", status_reason: null, ended: 20 } as const;
      expect(await markRunComplete(database.db, "default", "alpha", id, cancelled)).toBe(true);
      expect(await markRunComplete(database.db, "default", "alpha", id, { ...cancelled, status: "SUCCESSFUL" })).toBe(
        false,
      );
      expect(await getRun(database.db, "default", "alpha", id)).toMatchObject({
        state: "COMPLETE",
        status: "CANCELLED",
        ended: 20,
      });
      expect(await markRunComplete(database.db, "default", "alpha", 99, cancelled)).toBe(false);
    });

    it("insert a run's task runs at once, and a COMPLETE task run neither restarts nor completes again", async () => {
      const { id } = await insertRun(database.db, newRun("alpha"));
      const other = { ...TASK, id: "test", depends_on: { build: "SUCCESS" as const } };
      await insertTaskRuns(database.db, [
        newTaskRun(id),
        taskRunRow({ namespace_id: "default", pipeline_id: "alpha", run_id: id }, other, {
          state: "WAITING",
          created: 11,
        }),
      ]);
      expect((await listTaskRuns(database.db, "default", "alpha", id)).map((t) => [t.id, t.state, t.task])).toEqual([
        ["build", "PROCESSING", TASK],
        ["test", "WAITING", other],
      ]);
      const key = { namespaceId: "default", pipelineId: "alpha", runId: id, id: "build" };
      expect(await markTaskRunStarted(database.db, key, 15, "proc-1")).toBe(true);
      const failed = {
        status: "FAILED",
        status_reason: { reason: "ABNORMAL_EXIT", description: "exit 2" },
        exit_code: 2,
        ended: 16,
      } as const;
      expect(await markTaskRunComplete(database.db, key, failed)).toBe(true);
      expect(await markTaskRunComplete(database.db, key, { ...failed, status: "SUCCESSFUL", exit_code: 0 })).toBe(
        false,
      );
      expect(await markTaskRunStarted(database.db, key, 17, "proc-2")).toBe(false);
      expect(await getTaskRun(database.db, "default", "alpha", id, "build")).toMatchObject({
        state: "COMPLETE",
        status: "FAILED",
        status_reason: failed.status_reason,
        exit_code: 2,
        started: 15,
        ended: 16,
        scheduler_id: "proc-1",
      });
    });

    it("list the complete runs past the newest keepRuns whose objects have not expired, within the window", async () => {
      for (let i = 0; i < 8; i++) await insertRun(database.db, newRun("alpha"));
      for (const id of [1, 2, 3, 4, 5, 6]) {
        await markRunComplete(database.db, "default", "alpha", id, {
          status: "SUCCESSFUL",
          status_reason: null,
          ended: 1,
        });
      }
      await updateRun(database.db, "default", "alpha", 2, { store_objects_expired: true });
      const ids = async (keepRuns: number, limit: number) =>
        (await listRunsWithUnexpiredObjects(database.db, "default", "alpha", { keepRuns, limit })).map((r) => r.id);
      // Runs 8 and 7 are the newest two; 2 has expired already; 7 and 8 are not complete.
      expect(await ids(2, 50)).toEqual([1, 3, 4, 5, 6]);
      expect(await ids(2, 3)).toEqual([4, 5, 6]);
      expect(await ids(1, 50)).toEqual([1, 3, 4, 5, 6]);
      expect(await ids(8, 50)).toEqual([]);
    });

    it("marks a run's objects expired once: a second mark changes nothing and says so", async () => {
      await insertRun(database.db, newRun("alpha"));
      expect(await markRunObjectsExpired(database.db, "default", "alpha", 1)).toBe(true);
      expect(await markRunObjectsExpired(database.db, "default", "alpha", 1)).toBe(false);
      expect((await getRun(database.db, "default", "alpha", 1))?.store_objects_expired).toBe(true);
      expect(await markRunObjectsExpired(database.db, "default", "alpha", 2)).toBe(false);
    });
  });
});
