// Creating PENDING runs: for a resolved trigger event (event-processing/, spec §2.7) or for StartRun/RetryRun. A run is
// stored with the RESOLVED_TRIGGER_EVENT that announces it in one transaction; the caller publishes that event and
// then submits the run to the orchestrator. STARTED_RUN is not published here: the orchestrator publishes it for every
// run when it leaves PENDING (the original did so only for StartRun, §7 #20).
import type { Clock } from "@gofer/kernel";
import type { Kysely } from "kysely";
import { FailedPreconditionError, NotFoundError } from "../errors.js";
import type { StoredEvent } from "../events/event-kinds.js";
import { storeEvent } from "../events/event-writer.js";
import { getPipeline } from "../storage/pipeline-repository.js";
import { insertRun } from "../storage/run-repository.js";
import type { RunRow, Schema, VariableRecord } from "../storage/schema.js";
import { transaction } from "../storage/transaction.js";
import { runRef } from "./run-lookup.js";
import type { RunRef } from "./run-orchestrator.js";

/** A run to store PENDING. */
export interface NewRun {
  namespaceId: string;
  pipelineId: string;
  /** When it was asked for (ms since the epoch). */
  started: number;
  trigger: { name: string; label: string };
  variables: readonly VariableRecord[];
  /** The FIRED_TRIGGER_EVENT that asked for it; null for StartRun and RetryRun. */
  firedEventId: number | null;
}

/** Stores a PENDING run in the caller's transaction; its id is the pipeline's next. */
export async function createPendingRun(trx: Kysely<Schema>, run: NewRun): Promise<{ ref: RunRef; row: RunRow }> {
  const row = await insertRun(trx, {
    namespace_id: run.namespaceId,
    pipeline_id: run.pipelineId,
    started: run.started,
    ended: null,
    state: "PENDING",
    status: "UNKNOWN",
    status_reason: null,
    trigger_name: run.trigger.name,
    trigger_label: run.trigger.label,
    variables: run.variables.map((v) => ({ key: v.key, value: v.value, source: v.source })),
    store_objects_expired: false,
    event_id: run.firedEventId,
  });
  return { ref: runRef(row), row };
}

export interface CreatedRun {
  run: RunRef;
  row: RunRow;
  /** RESOLVED_TRIGGER_EVENT, stored; publish it with EventLog.publish. */
  resolved: StoredEvent;
  /** The pipeline's parallelism as read while creating the run (for RunOrchestrator.submit). */
  parallelism: number;
}

export const MANUAL_TRIGGER = { name: "manual", label: "api" } as const;
export const MANUAL_RESOLUTION = "triggered via API";

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
    const { ref, row } = await createPendingRun(trx, {
      namespaceId: input.namespaceId,
      pipelineId: input.pipelineId,
      started: clock.now().getTime(),
      trigger: MANUAL_TRIGGER,
      variables,
      firedEventId: null,
    });
    const resolved = await storeEvent(trx, clock, "RESOLVED_TRIGGER_EVENT", {
      namespace_id: input.namespaceId,
      pipeline_id: input.pipelineId,
      name: MANUAL_TRIGGER.name,
      label: MANUAL_TRIGGER.label,
      result: { details: MANUAL_RESOLUTION, state: "SUCCESS" },
      metadata: Object.fromEntries(variables.map((v) => [v.key, v.value])),
    });
    return { run: ref, row, resolved, parallelism: pipeline.parallelism };
  });
}
