// Overlap policies: an interval that outpaces its tasks cannot grow an unbounded queue. buffer-one (the default)
// keeps at most one run waiting and resolves the other events SKIPPED saying why; allow queues every event (the
// original's behaviour); a value that is not a policy is refused naming the setting.
import { type Event, Run_RunState } from "@gofer/proto";
import { afterEach, describe, expect, test, vi } from "vitest";
import { overlapPolicyOf, overlapSkipReason } from "../src/runs/overlap-policy.js";
import { intervalPipeline, startTestServer, type TestServer } from "./server-harness.js";

let servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.destroy()));
  servers = [];
});

describe("overlap policy rules", () => {
  test("default buffer-one; skip while anything is queued or running; allow always; bad values named", () => {
    expect(overlapPolicyOf({ EVERY: "1s" })).toBe("buffer-one");
    expect(overlapPolicyOf({ Overlap: "Skip" })).toBe("skip");
    expect(() => overlapPolicyOf({ overlap: "sometimes" }, 'pipeline "p" trigger label "every"')).toThrow(
      'pipeline "p" trigger label "every": setting "overlap" must be one of allow, skip, buffer-one; got "sometimes"',
    );
    expect(overlapSkipReason("buffer-one", { queued: 0, running: 3 })).toBeUndefined();
    expect(overlapSkipReason("buffer-one", { queued: 1, running: 1 })).toBe(
      'Skipped by overlap policy "buffer-one": a run of this pipeline is already waiting for a slot.',
    );
    expect(overlapSkipReason("skip", { queued: 0, running: 1 })).toBe(
      'Skipped by overlap policy "skip": a run of this pipeline is already running.',
    );
    expect(overlapSkipReason("allow", { queued: 50, running: 1 })).toBeUndefined();
  });
});

async function slowPipeline(s: TestServer, id: string, overlap?: string) {
  const pipeline = { ...intervalPipeline(id), parallelism: 1n };
  const task = pipeline.tasks[0]?.task;
  if (task?.$case === "customTask") task.value.command = ["sh", "-c", "sleep 4"];
  if (overlap) pipeline.triggers = [{ ...pipeline.triggers[0], settings: { EVERY: "1s", overlap } }] as never;
  await s.api.createPipeline({ namespaceId: "default", pipelineConfig: pipeline });
}

const pendingRuns = async (s: TestServer, id: string) =>
  (await s.api.listRuns({ offset: 0n, limit: 0n, namespaceId: "default", pipelineId: id })).runs.filter(
    (r) => r.state === Run_RunState.PENDING,
  ).length;

describe("an interval that outpaces its task (parallelism 1, every 1 s, a 4 s task)", () => {
  test("buffer-one keeps at most one run waiting; allow queues them all; skipped events say why", async () => {
    const s = await startTestServer();
    servers.push(s);
    await s.api.installTrigger({
      name: "interval",
      image: "gofer-trigger-interval:latest",
      user: "",
      pass: "",
      variables: { MIN_DURATION: "1s" },
    });
    await expect(slowPipeline(s, "bad", "sometimes")).rejects.toThrow(
      'setting "overlap" must be one of allow, skip, buffer-one; got "sometimes"',
    );
    await slowPipeline(s, "buffered");
    await slowPipeline(s, "queued", "allow");
    let maxBuffered = 0;
    await vi.waitFor(
      async () => {
        maxBuffered = Math.max(maxBuffered, await pendingRuns(s, "buffered"));
        expect(await pendingRuns(s, "queued")).toBeGreaterThanOrEqual(3);
      },
      { timeout: 30_000, interval: 100 },
    );
    expect(maxBuffered).toBeLessThanOrEqual(1);
    const events: Event[] = [];
    for await (const item of s.client.listEvents({ reverse: false, follow: false })) events.push(item.event as Event);
    const skipped = events
      .filter((e) => e.kind === "RESOLVED_TRIGGER_EVENT")
      .map((e) => JSON.parse(e.details) as { pipeline_id: string; result: { state: string; details: string } })
      .filter((d) => d.result.state === "SKIPPED");
    expect(skipped.length).toBeGreaterThan(0);
    expect(new Set(skipped.map((d) => d.pipeline_id))).toEqual(new Set(["buffered"]));
    expect(skipped[0]?.result.details).toBe(
      'Skipped by overlap policy "buffer-one": a run of this pipeline is already waiting for a slot.',
    );
  });
});
