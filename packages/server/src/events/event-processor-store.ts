// The event processor's storage needs, backed by sqlite: the pipeline's state and label → trigger map, and the
// run creation of runs/ (run and RESOLVED event in one transaction).
import type { Clock } from "@gofer/trigger-sdk";
import type { Kysely } from "kysely";
import { createTriggeredRun } from "../runs/run-creation.js";
import { getPipeline, listPipelineTriggerSubscriptions } from "../storage/pipeline-repository.js";
import type { Schema } from "../storage/schema.js";
import type { EventProcessorStore } from "./event-processor.js";

export function eventProcessorStore(db: Kysely<Schema>, clock: Clock): EventProcessorStore {
  return {
    async getPipelineForEvent(namespaceId, pipelineId) {
      const pipeline = await getPipeline(db, namespaceId, pipelineId);
      if (!pipeline) return undefined;
      const subscriptions = await listPipelineTriggerSubscriptions(db, namespaceId, pipelineId);
      return {
        state: pipeline.state,
        subscriptions: Object.fromEntries(subscriptions.map((s) => [s.label, s.trigger_name])),
      };
    },
    async createTriggeredRun(run, resolved) {
      const created = await createTriggeredRun(db, clock, run, resolved);
      return { run: created.run, resolved: created.resolved };
    },
  };
}
