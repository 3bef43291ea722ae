// `gofer trigger get` and `gofer pipeline get` show how fired events resolved (runs started, skipped and why), and
// `gofer pipeline get` / `gofer service info` the runs waiting for a slot, against a real server.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { type CliTestServer, parseJson, startCliTestServer } from "./cli-harness.js";

interface Counted {
  event_outcomes: Record<string, number>;
  queued_runs?: number;
}

let t: CliTestServer;

beforeAll(async () => {
  t = await startCliTestServer();
});

afterAll(async () => {
  await t?.destroy();
});

function pipelineFile(id: string, command: string): string {
  const path = join(t.dir, `${id}.yaml`);
  writeFileSync(
    path,
    [
      `id: ${id}`,
      "parallelism: 1",
      "tasks:",
      "  - id: work",
      "    image: gofer-task-test:latest",
      `    command: [sh, -c, "${command}"]`,
      "triggers:",
      "  - name: interval",
      "    label: every_second",
      "    settings: { every: 1s }",
    ].join("\n"),
  );
  return path;
}

async function ok(args: string[]) {
  const result = await t.gofer(args);
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  return result;
}

describe("event outcome counters and queue depth in the CLI", () => {
  test("disabled, overlap-skipped and ingress-off events are counted; the waiting run is shown", async () => {
    await ok(["trigger", "install", "interval", "gofer-trigger-interval:latest", "-c", "MIN_DURATION=1s"]);
    await ok(["pipeline", "create", pipelineFile("slow", "sleep 60")]);
    await ok(["pipeline", "create", pipelineFile("off", "true")]);
    await ok(["pipeline", "disable", "off"]);
    // On a loaded machine the trigger may fire between create and disable: what ran before counts as started, and
    // nothing may start after.
    const atDisable = parseJson<Counted>(await ok(["pipeline", "get", "off", "--format", "json"]));
    const startedBeforeDisable = atDisable.event_outcomes.runs_started ?? 0;

    await vi.waitFor(
      async () => {
        const slow = parseJson<Counted>(await ok(["pipeline", "get", "slow", "--format", "json"]));
        expect(slow.queued_runs).toBe(1);
        expect(slow.event_outcomes.runs_started).toBe(2);
        expect(slow.event_outcomes.skipped_overlap_buffer_one).toBeGreaterThanOrEqual(1);
        const off = parseJson<Counted>(await ok(["pipeline", "get", "off", "--format", "json"]));
        expect(off.event_outcomes.skipped_pipeline_disabled).toBeGreaterThanOrEqual(1);
        expect(off.event_outcomes.runs_started ?? 0).toBe(startedBeforeDisable);
        const otherOutcomes = Object.keys(off.event_outcomes).filter(
          (outcome) => outcome !== "skipped_pipeline_disabled" && outcome !== "runs_started",
        );
        expect(otherOutcomes).toEqual([]);
        expect(off.queued_runs).toBe(0);
      },
      { timeout: 40_000, interval: 300 },
    );
    const info = parseJson<{ queued_runs: number }>(await ok(["service", "info", "--format", "json"]));
    expect(info.queued_runs).toBe(1);
    expect((await ok(["service", "info"])).stdout).toContain("Runs waiting for a slot: 1");
    const pretty = (await ok(["pipeline", "get", "slow"])).stdout;
    expect(pretty).toContain("runs waiting for a slot: 1");
    expect(pretty).toMatch(/runs started: 2\n/);
    expect(pretty).toMatch(/skipped overlap buffer one: \d+\n/);

    await ok(["service", "toggle-event-ingress"]);
    await vi.waitFor(
      async () => {
        const trigger = parseJson<Counted>(await ok(["trigger", "get", "interval", "--format", "json"]));
        expect(trigger.event_outcomes).toMatchObject({
          runs_started: 2 + startedBeforeDisable,
          skipped_ingress_off: expect.any(Number),
          skipped_pipeline_disabled: expect.any(Number),
          skipped_overlap_buffer_one: expect.any(Number),
        });
      },
      { timeout: 30_000, interval: 300 },
    );
    const triggerPretty = (await ok(["trigger", "get", "interval"])).stdout;
    expect(triggerPretty).toMatch(
      new RegExp(`Events:\n {2}\\d+ fired\n {2}runs started: ${2 + startedBeforeDisable}\n`),
    );
    expect(triggerPretty).toMatch(/ {2}skipped ingress off: \d+\n/);
    expect(triggerPretty).toMatch(/ {2}skipped pipeline disabled: \d+\n/);
  }, 120_000);
});
