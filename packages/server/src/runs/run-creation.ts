// Creating PENDING runs: from a trigger event (spec §2.7) or from StartRun/RetryRun. The run and its
// RESOLVED_TRIGGER_EVENT are stored in one transaction; the caller publishes the returned event and then submits the
// run to the orchestrator. STARTED_RUN is not published here: the orchestrator publishes it for every run when it
// leaves PENDING (the original did so only for StartRun, §7 #20).
import type { Clock } from "@gofer/trigger-sdk";
import type { Kysely } from "kysely";
import { FailedPreconditionError, NotFoundError } from "../errors.js";
import type { StoredEvent, TriggerEventDetails } from "../events/event-kinds.js";
import type { NewTriggeredRun } from "../events/event-processor.js";
import { getPipeline } from "../storage/pipeline-repository.js";
import { insertRun } from "../storage/run-repository.js";
import type { RunRow, Schema, VariableRecord } from "../storage/schema.js";
import { transaction } from "../storage/transaction.js";
import { storeEvent } from "./run-events.js";
import { runRef } from "./run-lookup.js";
import type { RunRef } from "./run-orchestrator.js";

export interface CreatedRun {
  run: RunRef;
  row: RunRow;
  /** RESOLVED_TRIGGER_EVENT, stored; publish it with EventLog.publish. */
  resolved: StoredEvent;
}

export const MANUAL_TRIGGER = { name: "manual", label: "api" } as const;
export const MANUAL_RESOLUTION = "triggered via API";

/** The run a resolved fired event asks for (EventProcessorStore.recordFiredEvents, in its transaction): variables =
 * the event's metadata (source TRIGGER). */
export async function createTriggeredRun(
  db: Kysely<Schema>,
  clock: Clock,
  input: NewTriggeredRun,
  resolvedDetails: TriggerEventDetails,
): Promise<CreatedRun> {
  return transaction(db, async (trx) => {
    const row = await insertRun(trx, {
      namespace_id: input.namespaceId,
      pipeline_id: input.pipelineId,
      started: clock.now().getTime(),
      ended: null,
      state: "PENDING",
      status: "UNKNOWN",
      status_reason: null,
      trigger_name: input.triggerName,
      trigger_label: input.label,
      variables: input.variables.map((v) => ({ key: v.key, value: v.value, source: "TRIGGER" })),
      store_objects_expired: false,
      event_id: input.firedEventId,
    });
    const resolved = await storeEvent(trx, clock, "RESOLVED_TRIGGER_EVENT", { ...resolvedDetails });
    return { run: runRef(row), row, resolved };
  });
}

export interface NewManualRun {
  namespaceId: string;
  pipelineId: string;
  /** StartRun's variables (source RUN_OPTIONS), or a retried run's variables with their sources. */
  variables: Readonly<Record<string, string>> | readonly VariableRecord[];
}

/**
 * StartRun: a PENDING run with trigger {manual, api} and RESOLVED_TRIGGER_EVENT "triggered via API" (SUCCESS,
 * metadata = the variables), as the original.
 * @throws NotFoundError for a missing pipeline, FailedPreconditionError for a disabled one.
 */
export async function createManualRun(db: Kysely<Schema>, clock: Clock, input: NewManualRun): Promise<CreatedRun> {
  const variables: VariableRecord[] = Array.isArray(input.variables)
    ? (input.variables as readonly VariableRecord[]).map((v) => ({ key: v.key, value: v.value, source: v.source }))
    : Object.entries(input.variables).map(([key, value]) => ({ key, value, source: "RUN_OPTIONS" }));
  const where = `pipeline ${JSON.stringify(input.pipelineId)} in namespace ${JSON.stringify(input.namespaceId)}`;
  return transaction(db, async (trx) => {
    const pipeline = await getPipeline(trx, input.namespaceId, input.pipelineId);
    if (!pipeline) throw new NotFoundError(`${where} not found`);
    if (pipeline.state !== "ACTIVE") {
      throw new FailedPreconditionError(`${where} is ${pipeline.state}: enable it before starting a run`);
    }
    const row = await insertRun(trx, {
      namespace_id: input.namespaceId,
      pipeline_id: input.pipelineId,
      started: clock.now().getTime(),
      ended: null,
      state: "PENDING",
      status: "UNKNOWN",
      status_reason: null,
      trigger_name: MANUAL_TRIGGER.name,
      trigger_label: MANUAL_TRIGGER.label,
      variables,
      store_objects_expired: false,
      event_id: null,
    });
    const resolved = await storeEvent(trx, clock, "RESOLVED_TRIGGER_EVENT", {
      namespace_id: input.namespaceId,
      pipeline_id: input.pipelineId,
      name: MANUAL_TRIGGER.name,
      label: MANUAL_TRIGGER.label,
      result: { details: MANUAL_RESOLUTION, state: "SUCCESS" },
      metadata: Object.fromEntries(variables.map((v) => [v.key, v.value])),
    });
    return { run: runRef(row), row, resolved };
  });
}
