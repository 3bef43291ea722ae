// Turns fired trigger events into runs (spec §2.7), recording FIRED → PROCESSED → RESOLVED with a reason.
//
// onFired() stores FIRED_TRIGGER_EVENT and returns, so the Watcher asks for the next event only once the last one is
// durable; processing continues concurrently. The first matching rule decides:
//   result ≠ SUCCESS                         → resolved with the trigger's own result, no run
//   event ingress off                        → SKIPPED
//   pipeline missing                         → FAILURE
//   no subscription with that label          → FAILURE
//   the label belongs to another trigger     → FAILURE (the original did not check, §7 #19)
//   pipeline not ACTIVE                      → SKIPPED
//   otherwise                                → a PENDING run (variables = metadata, source TRIGGER) and RESOLVED are
//                                              stored in one transaction, and the run goes to the orchestrator.
import type { Logger } from "winston";
import { errorMessage } from "../errors.js";
import type { RunOrchestrator, RunRef } from "../runs/run-orchestrator.js";
import type { FiredEvent } from "../triggers/watcher.js";
import type { StoredEvent, TriggerEventDetails, TriggerEventResult } from "./event-kinds.js";
import type { EventLog } from "./event-log.js";

export interface PipelineForEvent {
  state: "ACTIVE" | "DISABLED";
  /** label → name of the trigger it subscribes to */
  subscriptions: Record<string, string>;
}

export interface NewTriggeredRun {
  namespaceId: string;
  pipelineId: string;
  triggerName: string;
  label: string;
  variables: Array<{ key: string; value: string; source: "TRIGGER" }>;
  firedEventId: number;
}

export interface EventProcessorStore {
  getPipelineForEvent(namespaceId: string, pipelineId: string): Promise<PipelineForEvent | undefined>;
  /** Stores the PENDING run and the RESOLVED event in one transaction. */
  createTriggeredRun(
    run: NewTriggeredRun,
    resolved: TriggerEventDetails,
  ): Promise<{ run: RunRef; resolved: StoredEvent }>;
}

/** How a fired event was resolved, with the run it started, if any. */
export interface EventOutcome {
  result: TriggerEventResult;
  run?: RunRef;
}

export interface EventProcessorOptions {
  store: EventProcessorStore;
  eventLog: EventLog;
  orchestrator: RunOrchestrator;
  ingressEnabled: () => boolean;
  logger: Logger;
}

export const RESOLUTION = {
  ingressOff:
    "API not accepting new events; event ingress is turned off (ToggleEventIngress or ignore_pipeline_run_events)",
  pipelineMissing: "Could not process trigger event; pipeline not found.",
  subscriptionMissing: "Trigger subscription no longer found in pipeline config.",
  notActive: "Pipeline is not active",
} as const;

export class EventProcessor {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly options: EventProcessorOptions) {}

  /** Number of fired events still being processed. */
  get pending(): number {
    return this.inFlight.size;
  }

  /**
   * For events that arrive as a call waiting for the answer (a v0.5 extension's StartRun): records FIRED, processes
   * it now, and returns how it was resolved, with the run when one was made.
   */
  async fireAndProcess(event: FiredEvent): Promise<EventOutcome> {
    const fired = await this.options.eventLog.record("FIRED_TRIGGER_EVENT", { ...firedDetails(event) });
    return this.process(fired.id, event);
  }

  async onFired(event: FiredEvent): Promise<void> {
    const fired = await this.options.eventLog.record("FIRED_TRIGGER_EVENT", { ...firedDetails(event) });
    const work = this.process(fired.id, event).then(
      () => undefined,
      (error: unknown) => {
        this.options.logger.error("could not process trigger event", { eventId: fired.id, error: errorMessage(error) });
      },
    );
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  /** Waits for fired events already accepted to be resolved. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private async process(firedId: number, event: FiredEvent): Promise<EventOutcome> {
    const { eventLog, store, orchestrator } = this.options;
    await eventLog.record("PROCESSED_TRIGGER_EVENT", {
      namespace_id: event.namespaceId,
      pipeline_id: event.pipelineId,
      name: event.triggerName,
      label: event.label,
    });

    const resolve = async (
      result: TriggerEventResult,
      metadata: Record<string, string> = {},
    ): Promise<EventOutcome> => {
      await eventLog.record("RESOLVED_TRIGGER_EVENT", { ...firedDetails(event), result, metadata });
      return { result };
    };

    if (event.result !== "SUCCESS") {
      return resolve({ details: event.details, state: event.result });
    }
    if (!this.options.ingressEnabled()) {
      return resolve({ details: RESOLUTION.ingressOff, state: "SKIPPED" });
    }
    const pipeline = await store.getPipelineForEvent(event.namespaceId, event.pipelineId);
    if (!pipeline) {
      return resolve({ details: RESOLUTION.pipelineMissing, state: "FAILURE" });
    }
    const subscribedTrigger = pipeline.subscriptions[event.label];
    if (subscribedTrigger === undefined) {
      return resolve({ details: RESOLUTION.subscriptionMissing, state: "FAILURE" });
    }
    if (subscribedTrigger !== event.triggerName) {
      return resolve({
        details: `Trigger "${event.triggerName}" is not subscribed with label "${event.label}"; that label belongs to trigger "${subscribedTrigger}".`,
        state: "FAILURE",
      });
    }
    if (pipeline.state !== "ACTIVE") {
      return resolve({ details: RESOLUTION.notActive, state: "SKIPPED" });
    }
    const { run, resolved } = await store.createTriggeredRun(
      {
        namespaceId: event.namespaceId,
        pipelineId: event.pipelineId,
        triggerName: event.triggerName,
        label: event.label,
        variables: Object.entries(event.metadata).map(([key, value]) => ({ key, value, source: "TRIGGER" as const })),
        firedEventId: firedId,
      },
      { ...firedDetails(event), result: { details: event.details, state: "SUCCESS" }, metadata: event.metadata },
    );
    eventLog.publish(resolved);
    orchestrator.submit(run);
    return { result: { details: event.details, state: "SUCCESS" }, run };
  }
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
