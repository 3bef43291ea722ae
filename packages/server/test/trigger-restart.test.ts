// Restarts end to end (a real server, the process engine, real trigger processes): a restarted server subscribes its
// pipelines again exactly once, and a trigger process that dies is started again and re-subscribed.
import { Trigger_TriggerState } from "@gofer/proto";
import { describe, expect, test, vi } from "vitest";
import { intervalPipeline, pidListeningOn } from "./server-harness.js";
import { EVERY, events, installInterval, runsOf, serversPerTest, WAIT } from "./trigger-runtime-harness.js";

const start = serversPerTest();

describe("restarts", () => {
  test("a server restart restores subscriptions without duplicate events", async () => {
    const first = await start();
    await installInterval(first);
    await first.api.createPipeline({
      namespaceId: "default",
      pipelineConfig: intervalPipeline("simple", "500ms"),
    });
    await first.stop();

    const t0 = Date.now();
    const s = await start({ dir: first.dir });
    const before = (await runsOf(s, "simple")).length;
    await vi.waitFor(async () => expect((await runsOf(s, "simple")).length).toBeGreaterThanOrEqual(before + 3), WAIT);
    const elapsedMs = Date.now() - t0;
    // At EVERY=500ms, one subscription yields at most elapsed/500ms + 1 events after the restart; a duplicate
    // subscription would double that.
    const fired = (await events(s)).filter(
      (e) => e.kind === "FIRED_TRIGGER_EVENT" && e.emitted >= t0 && e.details.pipeline_id === "simple",
    ).length;
    expect(fired).toBeGreaterThanOrEqual(3);
    expect(fired).toBeLessThanOrEqual(Math.floor(elapsedMs / 500) + 1);
    expect((await s.api.getTrigger({ name: "interval" })).trigger?.state).toBe(Trigger_TriggerState.RUNNING);
  });

  test("a trigger killed with SIGKILL is restarted and re-subscribed", async () => {
    const s = await start();
    await installInterval(s);
    await s.api.createPipeline({ namespaceId: "default", pipelineConfig: intervalPipeline("simple", EVERY) });
    const url = (await s.api.getTrigger({ name: "interval" })).trigger?.url as string;
    const pid = pidListeningOn(Number(url.split(":")[1]));
    expect(pid).toBeGreaterThan(0);
    process.kill(Number(pid), "SIGKILL");

    await vi.waitFor(
      async () => {
        const trigger = (await s.api.getTrigger({ name: "interval" })).trigger;
        expect(trigger?.state).toBe(Trigger_TriggerState.RUNNING);
        expect(trigger?.url).not.toBe(url);
      },
      { timeout: 30_000, interval: 200 },
    );
    const before = (await runsOf(s, "simple")).length;
    await vi.waitFor(async () => expect((await runsOf(s, "simple")).length).toBeGreaterThan(before), WAIT);
  });
});
