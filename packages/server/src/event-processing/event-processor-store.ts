// The event processor's storage: one transaction per batch of fired events, in which each event's pipeline is read
// (with the subscription of its label; once for the events of one subscription), the batch's events are stored in one
// statement (events/event-writer.ts), each run is stored (runs/run-creation.ts), and the batch's outcomes are added
// to the per-trigger/pipeline counters (storage/event-outcome-counts.ts). On a replica a fence, asked first in that
// transaction, says which triggers' events this server may record now (the lease holder's, cluster/cluster.ts); the
// others' are left out, not recorded.

import type { Clock } from "@gofer/kernel";
import type { Kysely } from "kysely";
import type { StoredEvent } from "../events/event-kinds.js";
import { storeEvents } from "../events/event-writer.js";
import { DEFAULT_OVERLAP, overlapPolicyOf } from "../runs/overlap-policy.js";
import { toRun } from "../runs/run.js";
import { createPendingRun } from "../runs/run-creation.js";
import { countEventOutcomes, type EventOutcomeKey } from "../storage/event-outcome-counts.js";
import { getPipelineForEvent, type PipelineForEventRow } from "../storage/pipeline-for-event.js";
import type { Schema } from "../storage/schema.js";
import { transaction } from "../storage/transaction.js";
import type {
  EventProcessorStore,
  FencedEvent,
  FiredEventInput,
  PipelineForEvent,
  RecordedEvent,
  Resolution,
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
        const allowed = fence ? await fence(trx, [...new Set(inputs.map((input) => input.fired.name))]) : undefined;
        const resolved: Array<Resolved | undefined> = [];
        // Within the transaction a pipeline reads the same each time: events of one subscription read it once.
        const pipelines = new Map<string, Promise<PipelineForEventRow | undefined>>();
        for (const input of inputs) {
          if (allowed && !allowed.has(input.fired.name)) {
            resolved.push(undefined);
            continue;
          }
          const { fired } = input;
          const key = JSON.stringify([fired.namespace_id, fired.pipeline_id, fired.label]);
          let pipeline = pipelines.get(key);
          if (pipeline === undefined) {
            pipeline = getPipelineForEvent(trx, fired.namespace_id, fired.pipeline_id, fired.label);
            pipelines.set(key, pipeline);
          }
          resolved.push(resolveInput(input, await pipeline));
        }
        // Every event of the batch in one statement, each input's FIRED, PROCESSED and RESOLVED in turn.
        const stored = await storeEvents(
          trx,
          clock,
          resolved.flatMap((one, i) => (one ? eventsOf(inputs[i] as FiredEventInput, one.resolution) : [])),
        );
        const recorded: Array<RecordedEvent | FencedEvent> = [];
        const outcomes: EventOutcomeKey[] = [];
        let next = 0;
        for (const [i, one] of resolved.entries()) {
          if (!one) {
            recorded.push(FENCED);
            continue;
          }
          const events = stored.slice(next, next + EVENTS_PER_INPUT);
          next += EVENTS_PER_INPUT;
          recorded.push(await createRun(trx, clock, one, events));
          const { fired } = inputs[i] as FiredEventInput;
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

interface Resolved {
  resolution: Resolution;
  pipeline: PipelineForEventRow | undefined;
}

function resolveInput({ resolve }: FiredEventInput, pipeline: PipelineForEventRow | undefined): Resolved {
  let forEvent: PipelineForEvent | undefined;
  if (pipeline) {
    const { subscription } = pipeline;
    forEvent = {
      state: pipeline.state,
      subscribedTrigger: subscription?.trigger_name,
      overlap: subscription ? overlapPolicyOrDefault(subscription.settings) : DEFAULT_OVERLAP,
      parallelism: pipeline.parallelism,
    };
  }
  return { resolution: resolve(forEvent), pipeline };
}

/** FIRED, PROCESSED and RESOLVED: what eventsOf stores for each input, in that order. */
const EVENTS_PER_INPUT = 3;

function eventsOf({ fired, processed }: FiredEventInput, resolution: Resolution) {
  return [
    { kind: "FIRED_TRIGGER_EVENT", details: { ...fired } },
    { kind: "PROCESSED_TRIGGER_EVENT", details: processed },
    { kind: "RESOLVED_TRIGGER_EVENT", details: { ...resolution.details } },
  ] as const;
}

/** Stores the run the resolution asks for, if any, pointing at its FIRED event (the first of `events`). */
async function createRun(
  trx: Kysely<Schema>,
  clock: Clock,
  { resolution, pipeline }: Resolved,
  events: StoredEvent[],
): Promise<RecordedEvent> {
  const fired = events[0];
  // A run is only made for a pipeline that was read.
  if (!resolution.run || !pipeline || !fired) return { events, resolution };
  const created = await createPendingRun(trx, {
    ...resolution.run,
    started: clock.now().getTime(),
    firedEventId: fired.id,
  });
  return {
    events,
    resolution,
    run: created.ref,
    created: toRun(created.row, []),
    pipeline: { parallelism: pipeline.parallelism },
  };
}

/** A stored subscription's policy; one stored before the setting was checked falls back to the default. */
function overlapPolicyOrDefault(settings: Record<string, string>) {
  try {
    return overlapPolicyOf(settings);
  } catch {
    return DEFAULT_OVERLAP;
  }
}
