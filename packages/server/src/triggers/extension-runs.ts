// Runs started by v0.5 extensions through Gofer.StartRun (spec §5.3-5.4). The call goes through the same event
// processor as a Watch event, recorded as FIRED/PROCESSED/RESOLVED events of that extension, so pipeline state,
// event ingress and parallelism apply alike. An extension may only start pipelines that subscribe to it.
import type { Kysely } from "kysely";
import { FailedPreconditionError, PermissionDeniedError } from "../errors.js";
import type { EventProcessor } from "../event-processing/event-processor.js";
import type { RunRef } from "../runs/run-orchestrator.js";
import { listPipelineTriggerSubscriptions } from "../storage/pipeline-repository.js";
import type { Schema } from "../storage/schema.js";

export interface ExtensionRunRequest {
  extensionName: string;
  namespaceId: string;
  pipelineId: string;
  variables: Record<string, string>;
  /** The v0.5 initiator; the interval extension names itself "<extension> (<label>)". */
  initiator: { name: string; reason: string } | undefined;
}

export async function startRunForExtension(
  db: Kysely<Schema>,
  processor: EventProcessor,
  request: ExtensionRunRequest,
): Promise<RunRef> {
  const { extensionName, namespaceId, pipelineId } = request;
  const labels = (await listPipelineTriggerSubscriptions(db, namespaceId, pipelineId))
    .filter((s) => s.trigger_name === extensionName)
    .map((s) => s.label);
  if (labels.length === 0) {
    throw new PermissionDeniedError(
      `extension "${extensionName}" may not start runs of pipeline "${namespaceId}/${pipelineId}": the pipeline does not subscribe to it`,
    );
  }
  const named = /\(([^()]+)\)\s*$/.exec(request.initiator?.name ?? "")?.[1];
  const label = named && labels.includes(named) ? named : (labels[0] as string);
  const outcome = await processor.fireAndProcess({
    triggerName: extensionName,
    namespaceId,
    pipelineId,
    label,
    result: "SUCCESS",
    details: request.initiator?.reason || `Started by extension "${extensionName}"`,
    metadata: { ...request.variables },
  });
  if (!outcome.run) {
    throw new FailedPreconditionError(`run not started: ${outcome.result.details} (${outcome.result.state})`);
  }
  return outcome.run;
}
