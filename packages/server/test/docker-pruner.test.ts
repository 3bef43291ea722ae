// Pruning (`scheduler.docker.prune`): exited containers labelled gofer=true are removed once finished long enough and
// no longer followed by the engine; running ones, young ones, followed ones and anything not ours stay. A failed pass
// is logged and the next one tried. Against the fake daemon: on a real one a pass would touch other tests' containers.
import { FakeClock } from "@gofer/kernel";
import { describe, expect, test } from "vitest";
import { pruneContainers, runDockerPruner } from "../src/scheduler/docker-pruner.js";
import { DockerScheduler } from "../src/scheduler/docker-scheduler.js";
import { FakeDockerApi, recordingLogger } from "./docker-fake-api.js";

async function container(api: FakeDockerApi, name: string, labels: Record<string, string>, exitCode?: number) {
  const created = await api.createContainer({
    name,
    Image: "img",
    Env: [],
    Labels: labels,
    HostConfig: { NetworkMode: "host" },
  });
  await created.start();
  if (exitCode !== undefined) api.containers.get(created.id)?.exit(exitCode);
  return created.id;
}

describe("docker pruner", () => {
  test("removes exited gofer containers only, and keeps the ones in use or finished too recently", async () => {
    const api = new FakeDockerApi();
    api.images.add("img");
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const { logger } = recordingLogger();
    const exited = await container(api, "task.default.p.1.a", { gofer: "true", "gofer.kind": "task" }, 0);
    const running = await container(api, "trigger_x", { gofer: "true", "gofer.kind": "trigger" });
    const followed = await container(api, "task.default.p.1.b", { gofer: "true", "gofer.kind": "task" }, 1);
    const foreign = await container(api, "someone_else", { app: "other" }, 0);
    const young = await container(api, "installer_0a", { gofer: "true", "gofer.kind": "installer" }, 0);
    const youngContainer = api.containers.get(young);
    if (youngContainer) youngContainer.finishedAt = new Date(Date.UTC(2026, 0, 1) - 1_000).toISOString();

    const removed = await pruneContainers({
      api,
      intervalMs: 60_000,
      minAgeMs: 60_000,
      inUse: (id) => id === followed,
      clock,
      logger,
    });
    expect(removed).toEqual([exited]);
    expect([...api.containers.keys()].sort()).toEqual([running, followed, foreign, young].sort());
  });

  test("the engine's pruner runs every interval, skips what the engine still follows, and stops with close()", async () => {
    const api = new FakeDockerApi();
    api.images.add("img");
    const clock = new FakeClock();
    const { logger } = recordingLogger();
    const engine = new DockerScheduler({ api, network: "host", clock, logger });
    const { id: done } = await engine.start({ name: "task_done", image: "img", env: {}, labels: {} });
    api.containers.get(done)?.exit(0);
    await engine.wait(done);
    // Left by a previous server; orphan repair has just looked at it and will follow it next.
    const followed = await container(api, "task.default.p.2.a", { gofer: "true", "gofer.kind": "task" });
    await engine.inspect(followed);
    api.containers.get(followed)?.exit(0);
    engine.startPruner(1_000);
    await clock.waitForSleepers(1);
    await clock.advance(1_000);
    await clock.waitForSleepers(1);
    expect(api.containers.has(done)).toBe(false);
    expect(api.containers.has(followed)).toBe(true);
    await engine.close(0);
    expect(clock.pendingSleeps).toBe(0);
  });

  test("a failed pass is logged and the next one is tried", async () => {
    const api = new FakeDockerApi();
    api.images.add("img");
    const clock = new FakeClock();
    const { logger, records } = recordingLogger();
    const stop = new AbortController();
    const id = await container(api, "task.default.p.9.a", { gofer: "true" }, 0);
    api.unreachable = true;
    const done = runDockerPruner(
      { api, intervalMs: 1_000, minAgeMs: 0, inUse: () => false, clock, logger },
      stop.signal,
    );
    await clock.waitForSleepers(1);
    await clock.advance(1_000);
    await clock.waitForSleepers(1);
    expect(records.find((r) => r.level === "warn")?.message).toBe(
      "pruning containers failed; trying again at the next interval",
    );
    api.unreachable = false;
    await clock.advance(1_000);
    await clock.waitForSleepers(1);
    expect(api.containers.has(id)).toBe(false);
    stop.abort();
    await done;
  });
});
