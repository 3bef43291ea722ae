// getPipelineForEvent: the one read that resolving a fired event makes of its pipeline (state and the subscription of
// the event's label, joined).
import { describe, expect, it } from "vitest";
import { insertNamespace } from "../src/storage/namespace-repository.js";
import { getPipelineForEvent } from "../src/storage/pipeline-for-event.js";
import { replacePipeline } from "../src/storage/pipeline-repository.js";
import { pipelineRow } from "./storage-fixtures.js";
import { useTempDatabase } from "./temp-database.js";

describe("getPipelineForEvent", () => {
  const temp = useTempDatabase();

  it("answers the pipeline's state with the subscription of that label, none for another label, nothing for no pipeline", async () => {
    const { db } = temp.database;
    await insertNamespace(db, { id: "default", name: "Default", description: "", created: 1, modified: 1 });
    await replacePipeline(db, {
      pipeline: pipelineRow("default", "p", { state: "DISABLED", parallelism: 3 }),
      tasks: [],
      subscriptions: [
        { namespace_id: "default", pipeline_id: "p", label: "a", trigger_name: "cron", settings: { overlap: "skip" } },
        { namespace_id: "default", pipeline_id: "p", label: "b", trigger_name: "interval", settings: {} },
      ],
    });
    await replacePipeline(db, {
      pipeline: pipelineRow("default", "q"),
      tasks: [],
      subscriptions: [{ namespace_id: "default", pipeline_id: "q", label: "a", trigger_name: "other", settings: {} }],
    });
    expect(await getPipelineForEvent(db, "default", "p", "a")).toEqual({
      state: "DISABLED",
      parallelism: 3,
      subscription: { trigger_name: "cron", settings: { overlap: "skip" } },
    });
    expect(await getPipelineForEvent(db, "default", "p", "b")).toEqual({
      state: "DISABLED",
      parallelism: 3,
      subscription: { trigger_name: "interval", settings: {} },
    });
    expect(await getPipelineForEvent(db, "default", "p", "c")).toEqual({
      state: "DISABLED",
      parallelism: 3,
      subscription: undefined,
    });
    expect(await getPipelineForEvent(db, "default", "q", "a")).toMatchObject({
      subscription: { trigger_name: "other" },
    });
    expect(await getPipelineForEvent(db, "default", "missing", "a")).toBeUndefined();
  });
});
