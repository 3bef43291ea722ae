// Trigger containers on a real daemon: one killed behind the server's back (`docker kill`) is started again in a new
// container and its pipelines are re-subscribed, so runs go on; and after shutdown nothing of the server runs.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Trigger_TriggerState } from "@gofer/proto";
import { afterEach, describe, expect, inject, test, vi } from "vitest";
import {
  containerName,
  containersLabelled,
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

describe.skipIf(!available)("docker engine: trigger containers", () => {
  test("a trigger container killed with docker kill is started again and re-subscribed; shutdown leaves nothing running", async () => {
    const s = await startDockerServer();
    const trigger = uniqueId("iv");
    const pipelineId = uniqueId("restart");
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
      variables: { MIN_DURATION: "100ms" },
    });
    await s.api.createPipeline({
      namespaceId: "default",
      pipelineConfig: pipelineConfig(
        pipelineId,
        [{ id: "hello", command: ["sh", "-c", "echo hello"] }],
        // Every half second: a run soon, without a task container every quarter second on a shared daemon.
        [{ name: trigger, label: "tick", settings: { EVERY: "500ms" } }],
      ),
    });
    await vi.waitFor(async () => expect(await runCount(s, pipelineId)).toBeGreaterThanOrEqual(1), WAIT);
    const before = await docker.getContainer(containerName(s, `trigger_${trigger}`)).inspect();

    await run("docker", ["kill", containerName(s, `trigger_${trigger}`)]);

    const after = await vi.waitFor(async () => {
      const info = await docker.getContainer(containerName(s, `trigger_${trigger}`)).inspect();
      expect(info.Id).not.toBe(before.Id);
      expect(info.State.Running).toBe(true);
      expect((await s.api.getTrigger({ name: trigger })).trigger?.state).toBe(Trigger_TriggerState.RUNNING);
      return info;
    }, WAIT);
    expect(after.Config.Labels?.["gofer.trigger"]).toBe(trigger);
    // Runs go on: the new container got the pipeline's subscription again.
    const runsAfterRestart = await runCount(s, pipelineId);
    await vi.waitFor(async () => expect(await runCount(s, pipelineId)).toBeGreaterThan(runsAfterRestart + 1), WAIT);

    await s.stop();
    expect(await containersLabelled({ "gofer.trigger": trigger })).toEqual([]);
    expect(await containersLabelled({ "gofer.pipeline": pipelineId })).toEqual([]);
  }, 90_000);
});
