// The event processor's resolution rules (event-processor.ts header), one test per rule, through resolveFiredEvent:
// each pins the RESOLVED result, its reason text, the outcome counter and whether a run is asked for.
import { describe, expect, it } from "vitest";
import { type PipelineForEvent, RESOLUTION, resolveFiredEvent } from "../src/event-processing/event-processor.js";
import type { FiredEvent } from "../src/events/fired-event.js";

const event = (over: Partial<FiredEvent> = {}): FiredEvent => ({
  triggerName: "interval",
  namespaceId: "default",
  pipelineId: "simple",
  label: "every_minute",
  result: "SUCCESS",
  details: "fired after 1m",
  metadata: { GOFER_TRIGGER_INTERVAL: "1m" },
  ...over,
});

const active = (over: Partial<PipelineForEvent> = {}): PipelineForEvent => ({
  state: "ACTIVE",
  subscribedTrigger: "interval",
  ...over,
});

const idle = () => ({ queued: 0, running: 0 });

describe("resolveFiredEvent", () => {
  it("a failure the trigger reports resolves FAILURE with the trigger's own details, no run", () => {
    const r = resolveFiredEvent(event({ result: "FAILURE", details: "could not reach the repo" }), active(), true);
    expect(r.details.result).toEqual({ state: "FAILURE", details: "could not reach the repo" });
    expect(r.outcome).toBe("trigger_failure");
    expect(r.details.metadata).toEqual({});
    expect(r.run).toBeUndefined();
  });

  it("a skip the trigger reports resolves SKIPPED with the trigger's own details, no run, even with ingress off", () => {
    const r = resolveFiredEvent(event({ result: "SKIPPED", details: "nothing new" }), active(), false);
    expect(r.details.result).toEqual({ state: "SKIPPED", details: "nothing new" });
    expect(r.outcome).toBe("trigger_skipped");
    expect(r.run).toBeUndefined();
  });

  it("event ingress off resolves SKIPPED, before the pipeline is looked at", () => {
    const r = resolveFiredEvent(event(), undefined, false);
    expect(r.details.result).toEqual({
      state: "SKIPPED",
      details:
        "API not accepting new events; event ingress is turned off (ToggleEventIngress or ignore_pipeline_run_events)",
    });
    expect(r.details.result.details).toBe(RESOLUTION.ingressOff);
    expect(r.outcome).toBe("skipped_ingress_off");
    expect(r.run).toBeUndefined();
  });

  it("a missing pipeline resolves FAILURE", () => {
    const r = resolveFiredEvent(event(), undefined, true);
    expect(r.details.result).toEqual({
      state: "FAILURE",
      details: "Could not process trigger event; pipeline not found.",
    });
    expect(r.outcome).toBe("failed_pipeline_missing");
    expect(r.run).toBeUndefined();
  });

  it("a pipeline without a subscription of that label resolves FAILURE", () => {
    const r = resolveFiredEvent(event(), active({ subscribedTrigger: undefined }), true);
    expect(r.details.result).toEqual({
      state: "FAILURE",
      details: "Trigger subscription no longer found in pipeline config.",
    });
    expect(r.outcome).toBe("failed_subscription_missing");
    expect(r.run).toBeUndefined();
  });

  it("a label that belongs to another trigger resolves FAILURE naming both triggers", () => {
    const r = resolveFiredEvent(event(), active({ subscribedTrigger: "cron" }), true);
    expect(r.details.result).toEqual({
      state: "FAILURE",
      details: 'Trigger "interval" is not subscribed with label "every_minute"; that label belongs to trigger "cron".',
    });
    expect(r.outcome).toBe("failed_label_of_other_trigger");
    expect(r.run).toBeUndefined();
  });

  it("a disabled pipeline resolves SKIPPED", () => {
    const r = resolveFiredEvent(event(), active({ state: "DISABLED" }), true);
    expect(r.details.result).toEqual({ state: "SKIPPED", details: "Pipeline is not active" });
    expect(r.outcome).toBe("skipped_pipeline_disabled");
    expect(r.run).toBeUndefined();
  });

  it('overlap "skip" with a run already running resolves SKIPPED saying so', () => {
    const r = resolveFiredEvent(event(), active({ overlap: "skip" }), true, () => ({ queued: 0, running: 1 }));
    expect(r.details.result).toEqual({
      state: "SKIPPED",
      details: 'Skipped by overlap policy "skip": a run of this pipeline is already running.',
    });
    expect(r.outcome).toBe("skipped_overlap_skip");
    expect(r.run).toBeUndefined();
  });

  it('overlap "buffer-one" with a run already waiting resolves SKIPPED saying so', () => {
    const r = resolveFiredEvent(event(), active({ overlap: "buffer-one" }), true, () => ({ queued: 1, running: 1 }));
    expect(r.details.result).toEqual({
      state: "SKIPPED",
      details: 'Skipped by overlap policy "buffer-one": a run of this pipeline is already waiting for a slot.',
    });
    expect(r.outcome).toBe("skipped_overlap_buffer_one");
    expect(r.run).toBeUndefined();
  });

  it('overlap "buffer-one" with runs only running still makes a run', () => {
    const r = resolveFiredEvent(event(), active({ overlap: "buffer-one" }), true, () => ({ queued: 0, running: 3 }));
    expect(r.outcome).toBe("runs_started");
    expect(r.run).toBeDefined();
  });

  it("otherwise resolves SUCCESS with the event's metadata and asks for a run whose variables are that metadata", () => {
    const r = resolveFiredEvent(event(), active({ overlap: "skip" }), true, idle);
    expect(r.details).toEqual({
      namespace_id: "default",
      pipeline_id: "simple",
      name: "interval",
      label: "every_minute",
      result: { state: "SUCCESS", details: "fired after 1m" },
      metadata: { GOFER_TRIGGER_INTERVAL: "1m" },
    });
    expect(r.outcome).toBe("runs_started");
    expect(r.run).toEqual({
      namespaceId: "default",
      pipelineId: "simple",
      trigger: { name: "interval", label: "every_minute" },
      variables: [{ key: "GOFER_TRIGGER_INTERVAL", value: "1m", source: "TRIGGER" }],
    });
  });
});
