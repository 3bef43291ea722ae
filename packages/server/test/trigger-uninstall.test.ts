// Uninstalling and disabling a trigger end to end (a real server, the process engine, real trigger processes): its
// pipelines are unsubscribed and told why, and enabling it again re-subscribes them.
import { Trigger_TriggerState, Trigger_TriggerStatus } from "@gofer/proto";
import { describe, expect, test, vi } from "vitest";
import { intervalPipeline } from "./server-harness.js";
import { EVERY, EVERY_MS, installInterval, runsOf, serversPerTest, WAIT } from "./trigger-runtime-harness.js";

const start = serversPerTest();

describe("uninstalling and disabling triggers", () => {
  test("uninstalling a trigger stops its runs and tells its pipelines why", async () => {
    const s = await start();
    await installInterval(s);
    await s.api.createPipeline({ namespaceId: "default", pipelineConfig: intervalPipeline("simple", EVERY) });
    await vi.waitFor(async () => expect((await runsOf(s, "simple")).length).toBeGreaterThanOrEqual(1), WAIT);

    await s.api.uninstallTrigger({ name: "interval" });
    const after = (await runsOf(s, "simple")).length;
    const triggers = (await s.api.listTriggers({})).triggers;
    expect(triggers).toEqual([]);
    const pipeline = (await s.api.getPipeline({ namespaceId: "default", id: "simple" })).pipeline;
    expect(pipeline?.errors.map((e) => e.description)).toEqual([
      'subscription "every": trigger "interval" is not installed',
    ]);
    // Four more periods pass without a new run.
    const marker = Date.now();
    await vi.waitFor(() => expect(Date.now() - marker).toBeGreaterThan(4 * EVERY_MS), { timeout: 5_000, interval: 50 });
    expect((await runsOf(s, "simple")).length).toBe(after);
  });

  test("installing the trigger again re-subscribes its pipelines and clears their error", async () => {
    const s = await start();
    await installInterval(s);
    await s.api.createPipeline({ namespaceId: "default", pipelineConfig: intervalPipeline("simple", EVERY) });
    await s.api.disableTrigger({ name: "interval" });
    const disabled = (await s.api.getTrigger({ name: "interval" })).trigger;
    expect(disabled?.status).toBe(Trigger_TriggerStatus.DISABLED);
    expect(disabled?.state).toBe(Trigger_TriggerState.EXITED);
    expect((await s.api.getPipeline({ namespaceId: "default", id: "simple" })).pipeline?.errors).toHaveLength(1);

    const before = (await runsOf(s, "simple")).length;
    await s.api.enableTrigger({ name: "interval" });
    await vi.waitFor(async () => expect((await runsOf(s, "simple")).length).toBeGreaterThan(before), WAIT);
    expect((await s.api.getPipeline({ namespaceId: "default", id: "simple" })).pipeline?.errors).toEqual([]);
  });
});
