import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { deleteNamespace, getNamespace, insertNamespace } from "../src/storage/namespace-repository.js";
import { deletePipeline, getPipeline, replacePipeline } from "../src/storage/pipeline-repository.js";
import { insertRun } from "../src/storage/run-repository.js";
import { insertTaskRun } from "../src/storage/task-run-repository.js";
import { describeEachStorageEngine } from "./storage-engines.js";
import { newRunRow, pipelineRow, taskRunRow } from "./storage-fixtures.js";
import { useTempDatabase } from "./temp-database.js";

describeEachStorageEngine("cascading deletes", (engine) => {
  const temp = useTempDatabase(engine);

  /** A namespace holding one pipeline with a task, a subscription, a run and a task run. */
  async function seed(namespaceId: string, pipelineId: string): Promise<void> {
    const db = temp.database.db;
    if ((await getNamespace(db, namespaceId)) === undefined) {
      await insertNamespace(db, { id: namespaceId, name: namespaceId, description: "", created: 1, modified: 1 });
    }
    const task = {
      id: "build",
      description: "",
      image: "ubuntu",
      registry_auth: null,
      depends_on: {},
      variables: [],
      entrypoint: null,
      command: null,
    };
    await replacePipeline(db, {
      pipeline: pipelineRow(namespaceId, pipelineId),
      tasks: [{ ...task, namespace_id: namespaceId, pipeline_id: pipelineId }],
      subscriptions: [
        { namespace_id: namespaceId, pipeline_id: pipelineId, label: "tick", trigger_name: "interval", settings: {} },
      ],
    });
    const run = await insertRun(
      db,
      newRunRow(namespaceId, pipelineId, { started: 2, state: "RUNNING", trigger_label: "tick" }),
    );
    await insertTaskRun(
      db,
      taskRunRow({ namespace_id: namespaceId, pipeline_id: pipelineId, run_id: run.id }, task, { created: 3 }),
    );
  }

  async function countRows(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const table of ["pipelines", "pipeline_tasks", "pipeline_trigger_subscriptions", "runs", "task_runs"]) {
      const result = await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(temp.database.db);
      counts[table] = result.rows[0]!.n;
    }
    return counts;
  }

  describe("deleting", () => {
    it("a namespace removes its pipelines with their tasks, subscriptions, runs and task runs", async () => {
      await seed("doomed", "p1");
      await seed("doomed", "p2");
      await seed("kept", "p1");
      expect(await deleteNamespace(temp.database.db, "doomed")).toBe(true);
      expect(await countRows()).toEqual({
        pipelines: 1,
        pipeline_tasks: 1,
        pipeline_trigger_subscriptions: 1,
        runs: 1,
        task_runs: 1,
      });
      expect(await getPipeline(temp.database.db, "kept", "p1")).toBeDefined();
      expect(await deleteNamespace(temp.database.db, "doomed")).toBe(false);
    });

    it("a pipeline removes only its own rows", async () => {
      await seed("default", "doomed");
      await seed("default", "kept");
      expect(await deletePipeline(temp.database.db, "default", "doomed")).toBe(true);
      expect(await countRows()).toEqual({
        pipelines: 1,
        pipeline_tasks: 1,
        pipeline_trigger_subscriptions: 1,
        runs: 1,
        task_runs: 1,
      });
      expect(await getNamespace(temp.database.db, "default")).toBeDefined();
      expect(await deletePipeline(temp.database.db, "default", "doomed")).toBe(false);
    });
  });
});
