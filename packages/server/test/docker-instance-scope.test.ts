// The docker engine scoped to one server instance (against the fake daemon): names and labels carry the instance id,
// a container of the same name that another server made is never removed, list() and pruning see only this
// instance's containers, and reapOrphans() removes only this instance's trigger containers.
import { FakeClock } from "@gofer/kernel";
import { describe, expect, test } from "vitest";
import { pruneContainers } from "../src/scheduler/docker-pruner.js";
import { DockerScheduler } from "../src/scheduler/docker-scheduler.js";
import { FakeDockerApi, recordingLogger } from "./docker-fake-api.js";

function engine(api: FakeDockerApi, instanceId?: string) {
  const { logger } = recordingLogger();
  return new DockerScheduler({
    api,
    network: "host",
    clock: new FakeClock(),
    logger,
    ...(instanceId ? { instanceId } : {}),
  });
}

describe("docker engine scoped to a server instance", () => {
  test("names and labels carry the instance id; two instances' triggers of one name live side by side", async () => {
    const api = new FakeDockerApi();
    api.images.add("img");
    const a = engine(api, "aaaa");
    const b = engine(api, "bbbb");
    const first = await a.start({
      name: "trigger_interval",
      image: "img",
      env: {},
      labels: { "gofer.kind": "trigger" },
    });
    const second = await b.start({
      name: "trigger_interval",
      image: "img",
      env: {},
      labels: { "gofer.kind": "trigger" },
    });
    expect(api.find("gofer-aaaa-trigger_interval")?.options.Labels).toEqual({
      gofer: "true",
      "gofer.kind": "trigger",
      "gofer.instance": "aaaa",
    });
    expect(api.find("gofer-bbbb-trigger_interval")?.id).toBe(second.id);
    expect(api.find(first.id)?.status).toBe("running");
    expect((await a.list({ "gofer.kind": "trigger" })).map((c) => c.id)).toEqual([first.id]);
    expect((await b.list({ "gofer.kind": "trigger" })).map((c) => c.id)).toEqual([second.id]);
  });

  test("a container of the same name that this instance did not create is left alone, with an error that says so", async () => {
    const api = new FakeDockerApi();
    api.images.add("img");
    const stranger = await api.createContainer({
      name: "gofer-aaaa-trigger_interval",
      Image: "img",
      Env: [],
      Labels: { gofer: "true" },
      HostConfig: { NetworkMode: "host" },
    });
    await stranger.start();
    await expect(
      engine(api, "aaaa").start({ name: "trigger_interval", image: "img", env: {}, labels: {} }),
    ).rejects.toThrow(
      'a container named "gofer-aaaa-trigger_interval" exists that this server (instance aaaa) did not create; it is left alone',
    );
    expect(api.find(stranger.id)?.status).toBe("running");
  });

  test("reapOrphans removes this instance's trigger containers left by an earlier run, and nothing else", async () => {
    const api = new FakeDockerApi();
    api.images.add("img");
    const earlier = engine(api, "aaaa");
    const other = engine(api, "bbbb");
    const mine = await earlier.start({ name: "trigger_x", image: "img", env: {}, labels: { "gofer.kind": "trigger" } });
    const myTask = await earlier.start({ name: "task.x", image: "img", env: {}, labels: { "gofer.kind": "task" } });
    const theirs = await other.start({ name: "trigger_x", image: "img", env: {}, labels: { "gofer.kind": "trigger" } });
    expect(await engine(api, "aaaa").reapOrphans()).toBe(1);
    expect(api.find(mine.id)).toBeUndefined();
    expect(api.find(myTask.id)?.status).toBe("running"); // left for orphan repair to follow
    expect(api.find(theirs.id)?.status).toBe("running");
  });

  test("pruning with an instance id removes only that instance's exited containers", async () => {
    const api = new FakeDockerApi();
    api.images.add("img");
    const a = engine(api, "aaaa");
    const b = engine(api, "bbbb");
    const mine = await a.start({ name: "task.a", image: "img", env: {}, labels: {} });
    const theirs = await b.start({ name: "task.b", image: "img", env: {}, labels: {} });
    api.find(mine.id)?.exit(0);
    api.find(theirs.id)?.exit(0);
    const removed = await pruneContainers({
      api,
      intervalMs: 1_000,
      minAgeMs: 0,
      inUse: () => false,
      clock: new FakeClock(Date.now()),
      logger: recordingLogger().logger,
      instanceId: "aaaa",
    });
    expect(removed).toEqual([mine.id]);
    expect(api.find(theirs.id)).toBeDefined();
  });
});
