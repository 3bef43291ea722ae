// The trigger runtime end to end: a real server, the process engine, real trigger processes over TLS on loopback.
// Tests wait for what a user would see (runs, events, states) through the API; nothing sleeps for a fixed time.
// Uninstalling and disabling are in trigger-uninstall.test.ts, restarts in trigger-restart.test.ts.
import { Pipeline_PipelineState, type Run, Trigger_TriggerState, Trigger_TriggerStatus } from "@gofer/proto";
import { status } from "@grpc/grpc-js";
import { describe, expect, test, vi } from "vitest";
import { intervalPipeline } from "./server-harness.js";
import { EVERY, events, installInterval, runsOf, serversPerTest, WAIT } from "./trigger-runtime-harness.js";

const start = serversPerTest();

describe("trigger runtime", () => {
  test("an interval subscription produces runs, each traced FIRED → PROCESSED → RESOLVED", async () => {
    const s = await start();
    await installInterval(s);
    const trigger = (await s.api.getTrigger({ name: "interval" })).trigger;
    expect(trigger?.state).toBe(Trigger_TriggerState.RUNNING);
    expect(trigger?.status).toBe(Trigger_TriggerStatus.ENABLED);
    expect(trigger?.url).toMatch(/^127\.0\.0\.1:\d+$/);

    await s.api.createPipeline({ namespaceId: "default", pipelineConfig: intervalPipeline("simple", EVERY) });
    await vi.waitFor(async () => expect((await runsOf(s, "simple")).length).toBeGreaterThanOrEqual(2), WAIT);

    const run = (await runsOf(s, "simple")).at(-1) as Run;
    expect(run.trigger).toEqual({ name: "interval", label: "every" });
    const kinds = (await events(s)).map((e) => e.kind);
    expect(kinds).toContain("INSTALLED_TRIGGER");
    expect(kinds).toContain("CREATED_PIPELINE");
    const fired = (await events(s)).find((e) => e.kind === "FIRED_TRIGGER_EVENT");
    expect(fired?.details).toEqual({
      namespace_id: "default",
      pipeline_id: "simple",
      name: "interval",
      label: "every",
      result: { details: "Triggered due to the passage of time.", state: "SUCCESS" },
      metadata: {},
    });
    expect(kinds.indexOf("PROCESSED_TRIGGER_EVENT")).toBeGreaterThan(kinds.indexOf("FIRED_TRIGGER_EVENT"));
    expect(kinds).toContain("RESOLVED_TRIGGER_EVENT");
  });

  test("a duplicate install is refused without disturbing the running trigger", async () => {
    const s = await start();
    await installInterval(s);
    const url = (await s.api.getTrigger({ name: "interval" })).trigger?.url;
    await expect(installInterval(s)).rejects.toMatchObject({
      code: status.ALREADY_EXISTS,
      details: 'trigger "interval" already exists',
    });
    expect((await s.api.getTrigger({ name: "interval" })).trigger?.url).toBe(url);
  });

  test("events of a disabled pipeline resolve SKIPPED with the reason", async () => {
    const s = await start();
    await installInterval(s);
    // A whole second before the first event, so that the pipeline is surely disabled by then.
    await s.api.createPipeline({ namespaceId: "default", pipelineConfig: intervalPipeline("simple", "1s") });
    await s.api.disablePipeline({ namespaceId: "default", id: "simple" });
    expect((await s.api.getPipeline({ namespaceId: "default", id: "simple" })).pipeline?.state).toBe(
      Pipeline_PipelineState.DISABLED,
    );
    await vi.waitFor(
      async () =>
        expect((await events(s)).find((e) => e.kind === "RESOLVED_TRIGGER_EVENT")?.details).toMatchObject({
          pipeline_id: "simple",
          result: { details: "Pipeline is not active", state: "SKIPPED" },
        }),
      WAIT,
    );
    expect(await runsOf(s, "simple")).toEqual([]);
  });

  test("a trigger written without our SDK, only to the v0.4 contract, drives runs", async () => {
    const s = await start();
    await s.api.installTrigger({
      name: "legacy",
      image: "test/legacy-interval:latest",
      user: "",
      pass: "",
      variables: { MIN_DURATION: "1s" },
    });
    const pipeline = intervalPipeline("legacy_driven");
    pipeline.triggers = [{ name: "legacy", label: "tick", settings: { EVERY: "1s" } }];
    await s.api.createPipeline({ namespaceId: "default", pipelineConfig: pipeline });
    await vi.waitFor(async () => expect((await runsOf(s, "legacy_driven")).length).toBeGreaterThanOrEqual(1), WAIT);
    expect((await runsOf(s, "legacy_driven"))[0]?.trigger).toEqual({ name: "legacy", label: "tick" });
  });
});
