// Many servers, one Docker daemon: each server's container names and labels carry its own instance id (kept in its
// database), so two servers with a trigger of the same name and pipelines of the same id keep their triggers and
// tasks; a server never removes a container it did not create. And after kill -9 of a server, its next start
// removes the trigger containers the crashed run left instead of leaving them to run forever.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
import { type ChildServer, startChildServer, type TestServer } from "./server-harness.js";

const available = inject("docker").available;
let cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups) await cleanup();
  cleanups = [];
});

async function runCount(api: TestServer["api"], pipelineId: string): Promise<number> {
  return (await api.listRuns({ offset: 0n, limit: 0n, namespaceId: "default", pipelineId })).runs.length;
}

async function subscribe(api: TestServer["api"], trigger: string, pipelineId: string) {
  await api.installTrigger({
    name: trigger,
    image: INTERVAL_IMAGE,
    user: "",
    pass: "",
    variables: { MIN_DURATION: "1s" },
  });
  await api.createPipeline({
    namespaceId: "default",
    pipelineConfig: pipelineConfig(
      pipelineId,
      [{ id: "hello", command: ["sh", "-c", "echo hello"] }],
      [{ name: trigger, label: "tick", settings: { EVERY: "1s" } }],
    ),
  });
}

describe.skipIf(!available)("docker engine: many servers, one daemon", () => {
  test("two servers with the same trigger name and pipeline id both keep their triggers and runs", async () => {
    const a = await startDockerServer();
    const b = await startDockerServer();
    const trigger = uniqueId("iv");
    const pipelineId = uniqueId("twin");
    cleanups.push(
      () => a.destroy(),
      () => b.destroy(),
      () => removeContainersLabelled({ "gofer.trigger": trigger }),
      () => removeContainersLabelled({ "gofer.pipeline": pipelineId }),
    );
    expect(a.server.instanceId).not.toBe(b.server.instanceId);
    await subscribe(a.api, trigger, pipelineId);
    const aTrigger = await docker.getContainer(containerName(a, `trigger_${trigger}`)).inspect();
    await subscribe(b.api, trigger, pipelineId);
    const bTrigger = await docker.getContainer(containerName(b, `trigger_${trigger}`)).inspect();
    expect(aTrigger.Config.Labels?.["gofer.instance"]).toBe(a.server.instanceId);
    expect(bTrigger.Config.Labels?.["gofer.instance"]).toBe(b.server.instanceId);

    // Both get runs of their own, each with task containers of their own, and neither trigger was replaced.
    await vi.waitFor(async () => {
      expect(await runCount(a.api, pipelineId)).toBeGreaterThanOrEqual(3);
      expect(await runCount(b.api, pipelineId)).toBeGreaterThanOrEqual(3);
    }, WAIT);
    for (const [s, before] of [
      [a, aTrigger],
      [b, bTrigger],
    ] as const) {
      const now = await docker.getContainer(containerName(s, `trigger_${trigger}`)).inspect();
      expect(now.Id).toBe(before.Id);
      expect(now.State.Running).toBe(true);
      expect((await s.api.getTrigger({ name: trigger })).trigger?.state).toBe(Trigger_TriggerState.RUNNING);
      const tasks = await containersLabelled(
        { "gofer.pipeline": pipelineId, "gofer.instance": s.server.instanceId },
        { all: true },
      );
      expect(tasks.length).toBeGreaterThanOrEqual(1);
    }

    // One stopping takes nothing of the other's with it.
    await a.stop();
    expect(await containersLabelled({ "gofer.trigger": trigger, "gofer.instance": a.server.instanceId })).toEqual([]);
    const still = await docker.getContainer(containerName(b, `trigger_${trigger}`)).inspect();
    expect(still.Id).toBe(bTrigger.Id);
    expect(still.State.Running).toBe(true);
    const runs = await runCount(b.api, pipelineId);
    await vi.waitFor(async () => expect(await runCount(b.api, pipelineId)).toBeGreaterThan(runs), WAIT);
  }, 120_000);

  test("after kill -9 of a server, its next start removes the trigger container the crashed run left", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gofer-docker-crash-"));
    const trigger = uniqueId("iv");
    const servers: ChildServer[] = [];
    cleanups.push(
      async () => {
        for (const s of servers) await s.kill("SIGKILL");
      },
      () => removeContainersLabelled({ "gofer.trigger": trigger }),
      async () => rmSync(dir, { recursive: true, force: true }),
    );
    const set = { "scheduler.docker.network": "host", task_execution_stop_timeout: "2s" };
    const first = await startChildServer(dir, "docker", set);
    servers.push(first);
    await first.api.installTrigger({
      name: trigger,
      image: INTERVAL_IMAGE,
      user: "",
      pass: "",
      variables: { MIN_DURATION: "1s" },
    });
    const [left] = await containersLabelled({ "gofer.trigger": trigger });
    expect(left).toBeDefined();
    await first.kill("SIGKILL");
    // The crashed server's trigger container runs on: nothing on the daemon knows the server is gone.
    expect((await docker.getContainer(left?.Id as string).inspect()).State.Running).toBe(true);

    const second = await startChildServer(dir, "docker", set);
    servers.push(second);
    await vi.waitFor(async () => {
      expect((await second.api.getTrigger({ name: trigger })).trigger?.state).toBe(Trigger_TriggerState.RUNNING);
      const running = await containersLabelled({ "gofer.trigger": trigger });
      expect(running.map((c) => c.Id)).not.toContain(left?.Id);
      expect(running.length).toBe(1);
    }, WAIT);
    await second.kill("SIGTERM");
    expect(await containersLabelled({ "gofer.trigger": trigger })).toEqual([]);
  }, 120_000);
});
