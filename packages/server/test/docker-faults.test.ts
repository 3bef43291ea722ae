// Faults on a real daemon, touching only the containers this test made: a hung trigger container (`docker pause`,
// the container's SIGSTOP) is found by liveness checks, reported, killed and started again in a new container, and
// its pipeline gets runs again.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { type Event, Trigger_TriggerState } from "@gofer/proto";
import { afterEach, describe, expect, inject, test, vi } from "vitest";
import {
  containerName,
  docker,
  INTERVAL_IMAGE,
  pipelineConfig,
  removeContainersLabelled,
  startDockerServer,
  uniqueId,
  WAIT,
} from "./docker-harness.js";
import type { TestServer } from "./server-harness.js";

const available = inject("docker").available;
const run = promisify(execFile);
let cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups) await cleanup();
  cleanups = [];
});

async function runCount(s: TestServer, pipelineId: string): Promise<number> {
  return (await s.api.listRuns({ offset: 0n, limit: 0n, namespaceId: "default", pipelineId })).runs.length;
}

describe.skipIf(!available)("docker engine: faults", () => {
  test("a paused (hung) trigger container is found, reported, replaced, and runs go on", async () => {
    const s = await startDockerServer({
      set: {
        "triggers.liveness_interval": "200ms",
        "triggers.liveness_timeout": "300ms",
        "triggers.liveness_misses": 3,
      },
    });
    const trigger = uniqueId("iv");
    const pipelineId = uniqueId("hung");
    cleanups.push(
      () => s.destroy(),
      () => removeContainersLabelled({ "gofer.trigger": trigger }),
      () => removeContainersLabelled({ "gofer.pipeline": pipelineId }),
    );
    await s.api.installTrigger({
      name: trigger,
      image: INTERVAL_IMAGE,
      user: "",
      pass: "",
      variables: { MIN_DURATION: "1s" },
    });
    await s.api.createPipeline({
      namespaceId: "default",
      pipelineConfig: pipelineConfig(
        pipelineId,
        [{ id: "hello", command: ["sh", "-c", "echo hello"] }],
        [{ name: trigger, label: "tick", settings: { EVERY: "1s" } }],
      ),
    });
    await vi.waitFor(async () => expect(await runCount(s, pipelineId)).toBeGreaterThanOrEqual(1), WAIT);
    const name = containerName(s, `trigger_${trigger}`);
    const before = await docker.getContainer(name).inspect();

    await run("docker", ["pause", name]);

    await vi.waitFor(async () => {
      const events: Event[] = [];
      for await (const item of s.client.listEvents({ reverse: false, follow: false })) events.push(item.event as Event);
      const unhealthy = events.find((e) => e.kind === "UNHEALTHY_TRIGGER");
      expect(JSON.parse(unhealthy?.details ?? "{}")).toMatchObject({ name: trigger, image: INTERVAL_IMAGE });
    }, WAIT);
    await vi.waitFor(async () => {
      const info = await docker.getContainer(name).inspect();
      expect(info.Id).not.toBe(before.Id);
      expect(info.State.Running).toBe(true);
      expect((await s.api.getTrigger({ name: trigger })).trigger?.state).toBe(Trigger_TriggerState.RUNNING);
    }, WAIT);
    const runs = await runCount(s, pipelineId);
    await vi.waitFor(async () => expect(await runCount(s, pipelineId)).toBeGreaterThan(runs), WAIT);
  }, 90_000);
});
