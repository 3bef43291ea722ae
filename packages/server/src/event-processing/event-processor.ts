// Turns fired trigger events into runs (spec §2.7), recording FIRED → PROCESSED → RESOLVED with a reason.
//
// The three events, the pipeline read that decides, and the PENDING run when there is one are written in one
// transaction, so an event is either wholly recorded and resolved or not at all. Events that arrive together (several
// triggers answering in the same turn of the event loop, or a backlog) are recorded in one transaction, in arrival
// order: one commit instead of one each. Should that transaction fail, each of its events is tried again alone, so
// one bad event fails by itself. The first matching rule decides:
//   result ≠ SUCCESS                         → resolved with the trigger's own result, no run
//   event ingress off                        → SKIPPED
//   pipeline missing                         → FAILURE
//   no subscription with that label          → FAILURE
//   the label belongs to another trigger     → FAILURE (the original did not check, §7 #19)
//   pipeline not ACTIVE                      → SKIPPED
//   the subscription's overlap policy says no (a run already queued/running, overlap-policy.ts) → SKIPPED, why
//   otherwise                                → a PENDING run (variables = metadata, source TRIGGER), handed to the
//                                              orchestrator once committed.
// On a replica, events of a trigger whose lease this server no longer holds (it was frozen past the lease: another
// replica may run the trigger now) are fenced: the store leaves them out, they count as handled (the Watcher does not
// try them again) and a warning names the trigger; the lease keeper stops the trigger at its next round.
import { type Clock, systemClock } from "@gofer/kernel";
import type { Logger } from "winston";
import { errorMessage } from "../errors.js";
import type { StoredEvent, TriggerEventDetails, TriggerEventResult } from "../events/event-kinds.js";
import type { EventLog } from "../events/event-log.js";
import type { FiredEvent, FiredEventHint } from "../events/fired-event.js";
import { type OverlapPolicy, overlapSkipReason, type PipelineActivity } from "../runs/overlap-policy.js";
import type { Run } from "../runs/run.js";
import type { NewRun } from "../runs/run-creation.js";
import type { RunOrchestrator, RunRef, SubmittedPipeline } from "../runs/run-orchestrator.js";

/** What the rules need of the event's pipeline, read in the recording transaction. */
export interface PipelineForEvent {
  state: "ACTIVE" | "DISABLED";
  /** Name of the trigger the event's label subscribes to, if the pipeline has that label. */
  subscribedTrigger: string | undefined;
  /** The subscription's overlap policy (default buffer-one). */
  overlap?: OverlapPolicy;
  /** Runs of the pipeline executing at once (0 = unlimited). */
  parallelism?: number;
}

/** How a fired event resolves: the RESOLVED event's details and, for SUCCESS, the run to create. */
export interface Resolution {
  details: TriggerEventDetails;
  /** Counter this event adds to (event_outcome_counts): "runs_started", "skipped_<reason>", "failed_<reason>", … */
  outcome: string;
  /** Stored with the time it is stored and the FIRED event's id. */
  run?: Omit<NewRun, "started" | "firedEventId">;
}

export interface FiredEventInput {
  fired: TriggerEventDetails;
  processed: Record<string, unknown>;
  resolve: (pipeline: PipelineForEvent | undefined) => Resolution;
}

export interface RecordedEvent {
  events: StoredEvent[];
  resolution: Resolution;
  run?: RunRef;
  /** With a run: the run as stored (PENDING, no task runs), handed to the orchestrator so it is not read again. */
  created?: Run;
  /** With a run: its pipeline as read in the transaction, handed to the orchestrator so it is not read again. */
  pipeline?: SubmittedPipeline;
}

/** An event the store left out: this server may not record its trigger's events now (event-processor-store.ts). */
export interface FencedEvent {
  fenced: true;
}

export interface EventProcessorStore {
  /**
   * In one transaction, for each input in order: stores FIRED and PROCESSED, reads the pipeline, stores the run
   * `resolve` asks for (with the FIRED event's id) and RESOLVED. Returns, per input, the stored events in order, how
   * it resolved, and the run; or, for an input whose trigger is fenced off, that it was left out.
   */
  recordFiredEvents(inputs: readonly FiredEventInput[]): Promise<Array<RecordedEvent | FencedEvent>>;
}

/** How a fired event was resolved, with the run it started, if any. */
export interface EventOutcome {
  result: TriggerEventResult;
  run?: RunRef;
  /** Not recorded: this server no longer holds the trigger's lease. */
  fenced?: true;
}

export interface EventProcessorOptions {
  store: EventProcessorStore;
  eventLog: EventLog;
  orchestrator: RunOrchestrator;
  ingressEnabled: () => boolean;
  logger: Logger;
  /** Runs of a pipeline queued and running now, for overlap policies; without it every event makes a run. */
  activity?: (namespaceId: string, pipelineId: string) => PipelineActivity;
  /** Global run slots (run_parallelism_limit) free now and not promised to a waiting run; default unlimited. */
  freeRunSlots?: () => number;
  /**
   * Times how long an event announced with more to follow may wait for them (HOLD_MS). Default systemClock, which the
   * server keeps even when given a fake clock: the hold is a pause the length of a Watch round trip, and a clock that
   * only moves when a test moves it would hold a backlog's last event for good.
   */
  clock?: Clock;
}

export const RESOLUTION = {
  ingressOff:
    "API not accepting new events; event ingress is turned off (ToggleEventIngress or ignore_pipeline_run_events)",
  pipelineMissing: "Could not process trigger event; pipeline not found.",
  fenced:
    "Event not recorded: this server no longer holds the trigger's lease; another replica may run the trigger now.",
  subscriptionMissing: "Trigger subscription no longer found in pipeline config.",
  notActive: "Pipeline is not active",
} as const;

/** Runs made earlier in a batch, per pipeline (JSON [namespace, pipeline]), as they will be once submitted. */
interface MadeHere {
  byPipeline: Map<string, PipelineActivity>;
  /** Of them, those that take a global slot. */
  started: number;
}

interface Waiting {
  event: FiredEvent;
  resolve: (outcome: EventOutcome) => void;
  reject: (error: unknown) => void;
}

/** At most this many events per transaction, so one commit stays short. */
const MAX_BATCH = 64;
/**
 * Group commit under a backlog: events announced with more to follow wait until this many have come, or until the
 * next event comes without that hint, or HOLD_MS have passed, whichever is first, and are recorded in one
 * transaction. Fewer than the Watcher keeps unrecorded (16), so it never waits for events held here.
 */
const HOLD_EVENTS = 8;
/** Longer than a Watch round trip: the backlog has ended when the next event takes this long. */
const HOLD_MS = 2;

export class EventProcessor {
  /** Events left out because this server no longer held their trigger's lease, since it started. */
  fencedEvents = 0;
  private readonly inFlight = new Set<Promise<unknown>>();
  private waiting: Waiting[] = [];
  private flushScheduled = false;
  /** Bumped at each flush: a hold timer armed before it has nothing left to do. */
  private flushes = 0;
  /** The value of `flushes` when the last hold timer was armed. */
  private heldSince = -1;

  constructor(private readonly options: EventProcessorOptions) {}

  /** Number of fired events still being recorded. */
  get pending(): number {
    return this.inFlight.size;
  }

  /**
   * Records and resolves a fired event; its run, if any, goes to the orchestrator. Resolves once all of it is
   * committed; rejects (nothing stored) when the database refuses.
   */
  async onFired(event: FiredEvent, hint?: FiredEventHint): Promise<void> {
    await this.fireAndProcess(event, hint);
  }

  /** As onFired, for callers that want the outcome (a v0.5 extension's StartRun). */
  fireAndProcess(event: FiredEvent, hint?: FiredEventHint): Promise<EventOutcome> {
    const work = new Promise<EventOutcome>((resolve, reject) => this.waiting.push({ event, resolve, reject }));
    if (hint?.more && !this.flushScheduled && this.waiting.length < HOLD_EVENTS) this.armHold();
    else this.scheduleFlush();
    this.inFlight.add(work);
    void work.then(
      () => this.inFlight.delete(work),
      () => this.inFlight.delete(work),
    );
    return work;
  }

  /** Waits for fired events already accepted to be recorded. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** After the I/O callbacks of this turn: events that arrived in it share the transaction. */
  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => void this.flush());
  }

  /** Records the events held for more to come once HOLD_MS have passed, if no flush took them before. */
  private armHold(): void {
    if (this.heldSince === this.flushes) return;
    const flushes = this.flushes;
    this.heldSince = flushes;
    void (this.options.clock ?? systemClock).sleep(HOLD_MS, NEVER).then(() => {
      if (this.flushes === flushes && this.waiting.length > 0) this.scheduleFlush();
    });
  }

  private async flush(): Promise<void> {
    this.flushes += 1;
    try {
      while (this.waiting.length > 0) await this.recordBatch(this.waiting.splice(0, MAX_BATCH));
    } finally {
      this.flushScheduled = false;
      if (this.waiting.length > 0) {
        this.flushScheduled = true;
        setImmediate(() => void this.flush());
      }
    }
  }

  private async recordBatch(batch: Waiting[]): Promise<void> {
    let recorded: Array<RecordedEvent | FencedEvent>;
    try {
      // Runs made earlier in this same transaction are not submitted yet: they count for overlap policies too.
      const madeHere: MadeHere = { byPipeline: new Map(), started: 0 };
      recorded = await this.options.store.recordFiredEvents(batch.map((w) => this.input(w.event, madeHere)));
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
      for (const waiting of batch) await this.recordBatch([waiting]);
      return;
    }
    const fenced = new Map<string, number>();
    for (const [i, waiting] of batch.entries()) {
      const one = recorded[i] as RecordedEvent | FencedEvent;
      if ("fenced" in one) {
        const name = waiting.event.triggerName;
        fenced.set(name, (fenced.get(name) ?? 0) + 1);
        waiting.resolve({ result: { details: RESOLUTION.fenced, state: "FAILURE" }, fenced: true });
      } else {
        waiting.resolve(this.announce(one));
      }
    }
    for (const [trigger, count] of fenced) {
      this.fencedEvents += count;
      this.options.logger.warn("trigger events not recorded: this replica no longer holds the trigger's lease", {
        trigger,
        count,
        fencedSinceStart: this.fencedEvents,
      });
    }
  }

  private input(event: FiredEvent, madeHere: MadeHere): FiredEventInput {
    return {
      fired: firedDetails(event),
      processed: {
        namespace_id: event.namespaceId,
        pipeline_id: event.pipelineId,
        name: event.triggerName,
        label: event.label,
      },
      resolve: (pipeline) => {
        const key = JSON.stringify([event.namespaceId, event.pipelineId]);
        const now = () => this.options.activity?.(event.namespaceId, event.pipelineId) ?? { queued: 0, running: 0 };
        const activity = () => {
          const here = madeHere.byPipeline.get(key) ?? { queued: 0, running: 0 };
          const there = now();
          return { queued: there.queued + here.queued, running: there.running + here.running };
        };
        const resolution = resolveFiredEvent(
          event,
          pipeline,
          this.options.ingressEnabled(),
          this.options.activity ? activity : undefined,
        );
        if (resolution.run) {
          // As the orchestrator will see it once submitted: running if a slot of its pipeline and a global slot are
          // free for it (none queued before it), else queued. Events of a backlog recorded together thus resolve
          // as they would one at a time with the runs before them started.
          const here = madeHere.byPipeline.get(key) ?? { queued: 0, running: 0 };
          const { queued, running } = activity();
          const limit = pipeline?.parallelism ?? 0;
          const slot =
            queued === 0 &&
            (limit === 0 || running < limit) &&
            madeHere.started < (this.options.freeRunSlots?.() ?? Number.POSITIVE_INFINITY);
          if (slot) {
            here.running += 1;
            madeHere.started += 1;
          } else {
            here.queued += 1;
          }
          madeHere.byPipeline.set(key, here);
        }
        return resolution;
      },
    };
  }

  /** Once committed: the events go to followers, the run to the orchestrator. */
  private announce(recorded: RecordedEvent): EventOutcome {
    const { eventLog, orchestrator, logger } = this.options;
    for (const stored of recorded.events) eventLog.publish(stored);
    if (recorded.run) {
      try {
        orchestrator.submit(recorded.run, recorded.pipeline, recorded.created);
      } catch (error) {
        // The run is stored PENDING: the next start's repair submits it again.
        logger.error("could not submit run", { run: recorded.run, error: errorMessage(error) });
      }
    }
    return { result: recorded.resolution.details.result, run: recorded.run };
  }
}

/** The options `activity` and `freeRunSlots`, from the orchestrator's counts and run_parallelism_limit. */
export function runActivity(
  runs: { activity: NonNullable<EventProcessorOptions["activity"]>; runningCount: number; queueDepth: number },
  runParallelismLimit: number,
): Pick<EventProcessorOptions, "activity" | "freeRunSlots"> {
  return {
    activity: (namespaceId, pipelineId) => runs.activity(namespaceId, pipelineId),
    // Runs waiting for a slot are served first.
    freeRunSlots: () =>
      runParallelismLimit > 0 ? runParallelismLimit - runs.runningCount - runs.queueDepth : Number.POSITIVE_INFINITY,
  };
}

const NEVER = new AbortController().signal;

/** The rules of the header, in order: how a fired event resolves, given its pipeline as read in the transaction. */
export function resolveFiredEvent(
  event: FiredEvent,
  pipeline: PipelineForEvent | undefined,
  ingressEnabled: boolean,
  activity?: () => PipelineActivity,
): Resolution {
  const resolved = (outcome: string, result: TriggerEventResult): Resolution => ({
    details: { ...firedDetails(event), result, metadata: {} },
    outcome,
  });
  if (event.result !== "SUCCESS") {
    return resolved(`trigger_${event.result.toLowerCase()}`, { details: event.details, state: event.result });
  }
  if (!ingressEnabled) return resolved("skipped_ingress_off", { details: RESOLUTION.ingressOff, state: "SKIPPED" });
  if (!pipeline) {
    return resolved("failed_pipeline_missing", { details: RESOLUTION.pipelineMissing, state: "FAILURE" });
  }
  const subscribedTrigger = pipeline.subscribedTrigger;
  if (subscribedTrigger === undefined) {
    return resolved("failed_subscription_missing", { details: RESOLUTION.subscriptionMissing, state: "FAILURE" });
  }
  if (subscribedTrigger !== event.triggerName) {
    return resolved("failed_label_of_other_trigger", {
      details: `Trigger "${event.triggerName}" is not subscribed with label "${event.label}"; that label belongs to trigger "${subscribedTrigger}".`,
      state: "FAILURE",
    });
  }
  if (pipeline.state !== "ACTIVE") {
    return resolved("skipped_pipeline_disabled", { details: RESOLUTION.notActive, state: "SKIPPED" });
  }
  const skipped = activity && pipeline.overlap ? overlapSkipReason(pipeline.overlap, activity()) : undefined;
  if (skipped && pipeline.overlap) {
    return resolved(`skipped_overlap_${pipeline.overlap.replaceAll("-", "_")}`, { details: skipped, state: "SKIPPED" });
  }
  return {
    details: { ...firedDetails(event), result: { details: event.details, state: "SUCCESS" }, metadata: event.metadata },
    outcome: "runs_started",
    run: {
      namespaceId: event.namespaceId,
      pipelineId: event.pipelineId,
      trigger: { name: event.triggerName, label: event.label },
      variables: Object.entries(event.metadata).map(([key, value]) => ({ key, value, source: "TRIGGER" as const })),
    },
  };
}

function firedDetails(event: FiredEvent): TriggerEventDetails {
  return {
    namespace_id: event.namespaceId,
    pipeline_id: event.pipelineId,
    name: event.triggerName,
    label: event.label,
    result: { details: event.details, state: event.result },
    metadata: event.metadata,
  };
}
