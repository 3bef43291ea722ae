import { beforeEach, describe, expect, it } from "vitest";
import { isForeignKeyViolation, isUniqueViolation } from "../src/storage/constraint-violation.js";
import type { Database } from "../src/storage/database.js";
import { insertNamespace } from "../src/storage/namespace-repository.js";
import {
  getPipeline,
  getStoredPipeline,
  listPipelines,
  listTriggerSubscriptions,
  replacePipeline,
  type StoredPipeline,
  updatePipeline,
} from "../src/storage/pipeline-repository.js";
import { insertRun, listRuns } from "../src/storage/run-repository.js";
import { transaction } from "../src/storage/transaction.js";
import { describeEachStorageEngine } from "./storage-engines.js";
import { useTempDatabase } from "./temp-database.js";

describeEachStorageEngine("pipeline storage", (engine) => {
  const temp = useTempDatabase(engine);
  let database: Database;
  beforeEach(async () => {
    database = temp.database;
    await insertNamespace(database.db, { id: "default", name: "Default", description: "", created: 1, modified: 1 });
  });

  function storedPipeline(id: string, version: string, time = 100): StoredPipeline {
    return {
      pipeline: {
        namespace_id: "default",
        id,
        name: `Pipeline ${version}`,
        description: `version ${version}`,
        parallelism: 2,
        state: "ACTIVE",
        created: time,
        modified: time,
        errors: [],
      },
      tasks: [
        {
          namespace_id: "default",
          pipeline_id: id,
          id: `build-${version}`,
          description: "builds",
          image: "ubuntu:latest",
          registry_auth: { user: "me", pass: "secret" },
          depends_on: {},
          variables: [{ key: "GREETING", value: "hi", source: "PIPELINE_CONFIG" }],
          entrypoint: null,
          command: ["echo", "hello"],
        },
        {
          namespace_id: "default",
          pipeline_id: id,
          id: `test-${version}`,
          description: "",
          image: "ubuntu:latest",
          registry_auth: null,
          depends_on: { [`build-${version}`]: "SUCCESS" },
          variables: [],
          entrypoint: [],
          command: null,
        },
      ],
      subscriptions: [
        {
          namespace_id: "default",
          pipeline_id: id,
          label: `every-${version}`,
          trigger_name: "interval",
          settings: { EVERY: "1m" },
        },
      ],
    };
  }

  describe("replacePipeline", () => {
    it("stores a pipeline with its tasks and subscriptions", async () => {
      const pipeline = storedPipeline("simple", "v1");
      await replacePipeline(database.db, pipeline);
      expect(await getStoredPipeline(database.db, "default", "simple")).toEqual(pipeline);
    });

    it("replaces tasks and subscriptions on update, keeping created and the runs", async () => {
      await replacePipeline(database.db, storedPipeline("simple", "v1", 100));
      await insertRun(database.db, {
        namespace_id: "default",
        pipeline_id: "simple",
        started: 150,
        ended: null,
        state: "RUNNING",
        status: "UNKNOWN",
        status_reason: null,
        trigger_name: "manual",
        trigger_label: "api",
        variables: [],
        store_objects_expired: false,
        event_id: null,
      });

      const v2 = storedPipeline("simple", "v2", 200);
      await replacePipeline(database.db, v2);

      const stored = await getStoredPipeline(database.db, "default", "simple");
      expect(stored?.pipeline).toEqual({ ...v2.pipeline, created: 100 });
      expect(stored?.tasks.map((t) => t.id)).toEqual(["build-v2", "test-v2"]);
      expect(stored?.subscriptions.map((s) => s.label)).toEqual(["every-v2"]);
      expect(await listRuns(database.db, { namespaceId: "default", pipelineId: "simple", limit: 10 })).toHaveLength(1);
    });

    it("leaves the previous version intact when the new one is refused midway", async () => {
      const v1 = storedPipeline("simple", "v1");
      await replacePipeline(database.db, v1);

      // Two tasks with one id: the second task insert violates the primary key after the pipeline row was updated
      // and the old tasks deleted.
      const broken = storedPipeline("simple", "v2", 200);
      const duplicate = { ...broken, tasks: [broken.tasks[0]!, broken.tasks[0]!] };
      const error = await replacePipeline(database.db, duplicate).catch((e: unknown) => e);
      expect(isUniqueViolation(error)).toBe(true);

      expect(await getStoredPipeline(database.db, "default", "simple")).toEqual(v1);
    });

    it("joins a caller's transaction, so the caller's rollback undoes it", async () => {
      await expect(
        transaction(database.db, async (trx) => {
          await replacePipeline(trx, storedPipeline("simple", "v1"));
          expect(await getPipeline(trx, "default", "simple")).toBeDefined();
          throw new Error("subscribe failed");
        }),
      ).rejects.toThrow("subscribe failed");
      expect(await getStoredPipeline(database.db, "default", "simple")).toBeUndefined();
    });

    it("refuses child rows of another pipeline before writing anything", async () => {
      const pipeline = storedPipeline("simple", "v1");
      const mixed = { ...pipeline, tasks: [{ ...pipeline.tasks[0]!, pipeline_id: "other" }] };
      await expect(replacePipeline(database.db, mixed)).rejects.toThrow(
        "pipeline default/simple: child row belongs to default/other",
      );
      expect(await getPipeline(database.db, "default", "simple")).toBeUndefined();
    });

    it("refuses a pipeline in a namespace that does not exist", async () => {
      const pipeline = storedPipeline("simple", "v1");
      const orphan: StoredPipeline = {
        pipeline: { ...pipeline.pipeline, namespace_id: "missing" },
        tasks: [],
        subscriptions: [],
      };
      const error = await replacePipeline(database.db, orphan).catch((e: unknown) => e);
      expect(isForeignKeyViolation(error)).toBe(true);
    });
  });

  describe("pipelines", () => {
    it("are listed by id, a page at a time", async () => {
      for (const id of ["e", "b", "a", "d", "c"]) await replacePipeline(database.db, storedPipeline(id, "v1"));
      const page = (offset: number, limit: number) =>
        listPipelines(database.db, { namespaceId: "default", offset, limit }).then((rows) => rows.map((p) => p.id));
      expect(await page(0, 2)).toEqual(["a", "b"]);
      expect(await page(2, 2)).toEqual(["c", "d"]);
      expect(await page(4, 2)).toEqual(["e"]);
      expect(await page(6, 2)).toEqual([]);
      expect(await listPipelines(database.db, { namespaceId: "elsewhere", limit: 10 })).toEqual([]);
    });

    it("change state and errors without losing tasks", async () => {
      await replacePipeline(database.db, storedPipeline("simple", "v1"));
      const errors = [
        { kind: "TRIGGER_SUBSCRIPTION_FAILURE", description: 'trigger "interval" is not installed' },
      ] as const;
      expect(await updatePipeline(database.db, "default", "simple", { state: "DISABLED", errors, modified: 300 })).toBe(
        true,
      );
      const stored = await getStoredPipeline(database.db, "default", "simple");
      expect(stored?.pipeline).toMatchObject({ state: "DISABLED", errors, modified: 300, created: 100 });
      expect(stored?.tasks).toHaveLength(2);
      expect(await updatePipeline(database.db, "default", "missing", { state: "ACTIVE", modified: 1 })).toBe(false);
    });

    it("list every subscription of one trigger across pipelines", async () => {
      await replacePipeline(database.db, storedPipeline("one", "v1"));
      const two = storedPipeline("two", "v1");
      await replacePipeline(database.db, {
        ...two,
        subscriptions: [
          ...two.subscriptions,
          { namespace_id: "default", pipeline_id: "two", label: "nightly", trigger_name: "cron", settings: {} },
        ],
      });
      const interval = await listTriggerSubscriptions(database.db, { triggerName: "interval" });
      expect(interval.map((s) => `${s.pipeline_id}/${s.label}`)).toEqual(["one/every-v1", "two/every-v1"]);
      expect(await listTriggerSubscriptions(database.db)).toHaveLength(3);
    });
  });
});
