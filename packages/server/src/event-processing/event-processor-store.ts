// The event processor's storage, backed by sqlite: one transaction per batch of fired events, in which each event's
// pipeline is read once (with the subscription of its label) and its run (runs/run-creation.ts) and events are
// stored (events/event-writer.ts), and the batch's outcomes are added to the per-trigger/pipeline counters
// (storage/event-outcome-counts.ts). On a replica a fence, asked first in that transaction, says which triggers' events
// this server may record now (the lease holder's, cluster/cluster.ts); the others' are left out, not recorded.

import type { Clock } from "@gofer/kernel";
import type { Kysely } from "kysely";
import { storeEvent } from "../events/event-writer.js";
import { DEFAULT_OVERLAP, overlapPolicyOf } from "../runs/overlap-policy.js";
import { createPendingRun } from "../runs/run-creation.js";
import type { RunRef } from "../runs/run-orchestrator.js";
import { countEventOutcomes, type EventOutcomeKey } from "../storage/event-outcome-counts.js";
import { getPipelineForEvent } from "../storage/pipeline-for-event.js";
import type { Schema } from "../storage/schema.js";
import { transaction } from "../storage/transaction.js";
import type {
  EventProcessorStore,
  FencedEvent,
  FiredEventInput,
  PipelineForEvent,
  RecordedEvent,
} from "./event-processor.js";

/**
 * Of `triggerNames`, those whose events this server may record, asked inside the recording transaction (which it may
 * lock against a change of holder until it commits).
 */
export type RecordFence = (trx: Kysely<Schema>, triggerNames: readonly string[]) => Promise<ReadonlySet<string>>;

const FENCED: FencedEvent = { fenced: true };

/** Without a fence (sqlite, one server) every event is recorded. */
export function eventProcessorStore(db: Kysely<Schema>, clock: Clock, fence?: RecordFence): EventProcessorStore {
  return {
    recordFiredEvents(inputs) {
      return transaction(db, async (trx) => {
        const recorded: Array<RecordedEvent | FencedEvent> = [];
        const outcomes: EventOutcomeKey[] = [];
        const allowed = fence ? await fence(trx, [...new Set(inputs.map((input) => input.fired.name))]) : undefined;
        for (const input of inputs) {
          if (allowed && !allowed.has(input.fired.name)) {
            recorded.push(FENCED);
            continue;
          }
          const one = await recordFiredEvent(trx, clock, input);
          recorded.push(one);
          const { fired } = input;
          outcomes.push({
            namespaceId: fired.namespace_id,
            pipelineId: fired.pipeline_id,
            triggerName: fired.name,
            outcome: one.resolution.outcome,
          });
        }
        await countEventOutcomes(trx, outcomes);
        return recorded;
      });
    },
  };
}

async function recordFiredEvent(
  trx: Kysely<Schema>,
  clock: Clock,
  { fired, processed, resolve }: FiredEventInput,
): Promise<RecordedEvent> {
  const firedEvent = await storeEvent(trx, clock, "FIRED_TRIGGER_EVENT", { ...fired });
  const processedEvent = await storeEvent(trx, clock, "PROCESSED_TRIGGER_EVENT", processed);
  const pipeline = await getPipelineForEvent(trx, fired.namespace_id, fired.pipeline_id, fired.label);
  let forEvent: PipelineForEvent | undefined;
  if (pipeline) {
    const { subscription } = pipeline;
    forEvent = {
      state: pipeline.state,
      subscribedTrigger: subscription?.trigger_name,
      overlap: subscription ? overlapPolicyOrDefault(subscription.settings) : DEFAULT_OVERLAP,
    };
  }
  const resolution = resolve(forEvent);
  const events = [firedEvent, processedEvent];
  let run: RunRef | undefined;
  if (resolution.run) {
    const created = await createPendingRun(trx, {
      ...resolution.run,
      started: clock.now().getTime(),
      firedEventId: firedEvent.id,
    });
    run = created.ref;
  }
  events.push(await storeEvent(trx, clock, "RESOLVED_TRIGGER_EVENT", { ...resolution.details }));
  // A run is only made for a pipeline that was read.
  return run && pipeline
    ? { events, resolution, run, pipeline: { parallelism: pipeline.parallelism } }
    : { events, resolution };
}

/** A stored subscription's policy; one stored before the setting was checked falls back to the default. */
function overlapPolicyOrDefault(settings: Record<string, string>) {
  try {
    return overlapPolicyOf(settings);
  } catch {
    return DEFAULT_OVERLAP;
  }
}
