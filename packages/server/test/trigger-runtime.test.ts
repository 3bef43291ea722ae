// The trigger runtime end to end: a real server, the process engine, real trigger processes over TLS on loopback.
// Tests wait for what a user would see (runs, events, states) through the API; nothing sleeps for a fixed time.

import {
  type Event,
  Pipeline_PipelineState,
  type Run,
  Trigger_TriggerState,
  Trigger_TriggerStatus,
} from "@gofer/proto";
import { status } from "@grpc/grpc-js";
import { afterEach, describe, expect, test, vi } from "vitest";
import { intervalPipeline, pidListeningOn, startTestServer, type TestServer } from "./server-harness.js";

const WAIT = { timeout: 20_000, interval: 50 };
// Subscriptions fire every quarter second (the trigger's minimum is set below it), so a test sees runs within a
// second; the behaviour tested is the same at any period.
const EVERY_MS = 250;
const EVERY = `${EVERY_MS}ms`;
let servers: TestServer[] = [];

afterEach(async () => {
  await Promise.all(servers.map((s) => s.destroy()));
  servers = [];
});

async function start(options: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  const s = await startTestServer(options);
  servers.push(s);
  return s;
}

async function installInterval(s: TestServer, name = "interval", image = "gofer-trigger-interval:latest") {
  await s.api.installTrigger({ name, image, user: "", pass: "", variables: { MIN_DURATION: "100ms" } });
}

async function runsOf(s: TestServer, pipelineId: string): Promise<Run[]> {
  return (await s.api.listRuns({ offset: 0n, limit: 0n, namespaceId: "default", pipelineId })).runs;
}

async function events(
  s: TestServer,
): Promise<Array<{ kind: string; details: Record<string, unknown>; emitted: number }>> {
  const stream = s.client.listEvents({ reverse: false, follow: false });
  const out: Event[] = [];
  for await (const item of stream) out.push(item.event as Event);
  return out.map((e) => ({
    kind: e.kind,
    details: JSON.parse(e.details) as Record<string, unknown>,
    emitted: Number(e.emitted),
  }));
}

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

  test("events of a disabled pipeline resolve SKIPPED with the reason", async () => {
    const s = await start();
    await installInterval(s);
    await s.api.createPipeline({ namespaceId: "default", pipelineConfig: intervalPipeline("simple", EVERY) });
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
