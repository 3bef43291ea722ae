// Every fired event either starts a run or says why not, in its RESOLVED event and in the per-trigger and
// per-pipeline counters of GetTrigger / GetPipeline; runs waiting for a slot show in GetPipeline.queued_runs and
// GetSystemInfo.queued_runs. The counters are kept in the database, so they survive a restart. A scaled-down
// "200 pipelines at every 1 s" case accounts for every event of 20 pipelines whose tasks outlast the period.
import { type Event, Run_RunState } from "@gofer/proto";
import { afterEach, describe, expect, test, vi } from "vitest";
import { intervalPipeline, startTestServer, type TestServer } from "./server-harness.js";

let servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.destroy()));
  servers = [];
});

async function installInterval(s: TestServer) {
  await s.api.installTrigger({
    name: "interval",
    image: "gofer-trigger-interval:latest",
    user: "",
    pass: "",
    variables: { MIN_DURATION: "1s" },
  });
}

/** A pipeline on `every: 1s` whose one task runs `seconds`, one run at a time. */
async function createPipeline(s: TestServer, id: string, seconds: number, parallelism = 1n) {
  const pipeline = { ...intervalPipeline(id), parallelism };
  const task = pipeline.tasks[0]?.task;
  if (task?.$case === "customTask") task.value.command = ["sh", "-c", `sleep ${seconds}`];
  await s.api.createPipeline({ namespaceId: "default", pipelineConfig: pipeline });
}

const countsOf = (counts: Record<string, bigint> | undefined) =>
  Object.fromEntries(Object.entries(counts ?? {}).map(([k, v]) => [k, Number(v)]));

async function pipelineInfo(s: TestServer, id: string) {
  const { pipeline } = await s.api.getPipeline({ namespaceId: "default", id });
  return { outcomes: countsOf(pipeline?.eventOutcomes), queued: Number(pipeline?.queuedRuns ?? -1) };
}

async function triggerOutcomes(s: TestServer) {
  return countsOf((await s.api.getTrigger({ name: "interval" })).trigger?.eventOutcomes);
}

async function allEvents(s: TestServer): Promise<Event[]> {
  const events: Event[] = [];
  for await (const item of s.client.listEvents({ reverse: false, follow: false })) events.push(item.event as Event);
  return events;
}

/** Disables the trigger, then waits until no more events arrive (none recorded for a second). */
async function stopFiring(s: TestServer) {
  await s.api.disableTrigger({ name: "interval" });
  let last = -1;
  await vi.waitFor(
    async () => {
      const now = (await allEvents(s)).length;
      const settled = now === last;
      last = now;
      expect(settled).toBe(true);
    },
    { timeout: 20_000, interval: 1000 },
  );
}

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

describe("event outcome counters and queue depth through the API", () => {
  test("disabled, overlap-skipped and ingress-off events are counted per trigger and pipeline, and survive a restart", async () => {
    const s = await startTestServer();
    servers.push(s);
    await installInterval(s);
    await createPipeline(s, "slow", 60);
    await createPipeline(s, "off", 0);
    await s.api.disablePipeline({ namespaceId: "default", id: "off" });

    // slow: one run holds the only slot for a minute, one waits (buffer-one), the rest are skipped saying so.
    await vi.waitFor(
      async () => {
        const slow = await pipelineInfo(s, "slow");
        expect(slow.queued).toBe(1);
        expect(slow.outcomes.runs_started).toBe(2);
        expect(slow.outcomes.skipped_overlap_buffer_one).toBeGreaterThanOrEqual(1);
        expect((await pipelineInfo(s, "off")).outcomes.skipped_pipeline_disabled).toBeGreaterThanOrEqual(1);
      },
      { timeout: 30_000, interval: 200 },
    );
    expect(Number((await s.api.getSystemInfo({})).queuedRuns)).toBe(1);
    expect(Object.keys((await pipelineInfo(s, "off")).outcomes)).toEqual(["skipped_pipeline_disabled"]);

    await s.api.toggleEventIngress({});
    await vi.waitFor(async () => expect((await triggerOutcomes(s)).skipped_ingress_off).toBeGreaterThanOrEqual(2), {
      timeout: 30_000,
      interval: 200,
    });
    await stopFiring(s);

    // The trigger's counts are its pipelines' counts added up, and match the RESOLVED events one for one.
    const byTrigger = await triggerOutcomes(s);
    const slow = (await pipelineInfo(s, "slow")).outcomes;
    const off = (await pipelineInfo(s, "off")).outcomes;
    for (const key of new Set([...Object.keys(slow), ...Object.keys(off)])) {
      expect(byTrigger[key], key).toBe((slow[key] ?? 0) + (off[key] ?? 0));
    }
    const resolved = (await allEvents(s))
      .filter((e) => e.kind === "RESOLVED_TRIGGER_EVENT")
      .map((e) => JSON.parse(e.details) as { result: { state: string; details: string } });
    expect(resolved.length).toBe(sum(byTrigger));
    expect(resolved.filter((d) => d.result.details === "Pipeline is not active").length).toBe(
      byTrigger.skipped_pipeline_disabled,
    );

    // Restarted on the same database, the counts are still there.
    await s.stop();
    const again = await startTestServer({ dir: s.dir });
    servers.push(again);
    expect(await triggerOutcomes(again)).toEqual(byTrigger);
    // A deleted pipeline's counts go with it (one made again with that id starts from zero).
    await again.api.deletePipeline({ namespaceId: "default", id: "off" });
    expect(await triggerOutcomes(again)).toEqual(slow);
  });
});

describe("a scaled-down 200 × 1 s: 20 pipelines at every 1 s with 3 s tasks", () => {
  test("every FIRED event is resolved, and became a run or was skipped saying why", async () => {
    const s = await startTestServer();
    servers.push(s);
    await installInterval(s);
    const ids = Array.from({ length: 20 }, (_, i) => `p${i}`);
    for (const id of ids) await createPipeline(s, id, 3);
    // A few seconds of events: enough that every pipeline has had a run and a skipped event.
    await vi.waitFor(
      async () => {
        for (const id of ids)
          expect((await pipelineInfo(s, id)).outcomes.skipped_overlap_buffer_one).toBeGreaterThan(0);
      },
      { timeout: 60_000, interval: 500 },
    );
    await stopFiring(s);

    const events = await allEvents(s);
    const fired = events.filter((e) => e.kind === "FIRED_TRIGGER_EVENT");
    const resolved = events
      .filter((e) => e.kind === "RESOLVED_TRIGGER_EVENT")
      .map((e) => JSON.parse(e.details) as { pipeline_id: string; result: { state: string; details: string } });
    expect(resolved.length).toBe(fired.length);

    let runs = 0;
    for (const id of ids) {
      const listed = await s.api.listRuns({ offset: 0n, limit: 0n, namespaceId: "default", pipelineId: id });
      runs += listed.runs.length;
      expect(listed.runs.some((r) => r.state !== Run_RunState.PENDING)).toBe(true);
    }
    const started = resolved.filter((d) => d.result.state === "SUCCESS");
    const skipped = resolved.filter((d) => d.result.state === "SKIPPED");
    expect(started.length).toBe(runs);
    expect(skipped.every((d) => d.result.details.startsWith('Skipped by overlap policy "buffer-one"'))).toBe(true);
    expect(fired.length).toBe(runs + skipped.length);

    const counted = await triggerOutcomes(s);
    expect(counted).toEqual({ runs_started: runs, skipped_overlap_buffer_one: skipped.length });
  }, 120_000);
});
