// Stopping containers on the docker engine: SIGTERM, then SIGKILL once the timeout has passed on the injected clock
// (busybox sh as PID 1 ignores SIGTERM, so tasks end by the kill), exit codes and reasons, and close().
import { FakeClock } from "@gofer/kernel";
import { describe, expect, test } from "vitest";
import { DockerScheduler } from "../src/scheduler/docker-scheduler.js";
import { FakeDockerApi, recordingLogger } from "./docker-fake-api.js";

function setup() {
  const api = new FakeDockerApi();
  api.images.add("img");
  const clock = new FakeClock();
  const { logger } = recordingLogger();
  return { api, clock, engine: new DockerScheduler({ api, network: "host", clock, logger }) };
}

describe("docker stop", () => {
  test("a container that ignores SIGTERM is killed exactly when the timeout has passed", async () => {
    const { api, clock, engine } = setup();
    api.exitOnSigterm = undefined;
    const { id } = await engine.start({ name: "task_stubborn", image: "img", env: {}, labels: {} });
    const stopped = engine.stop(id, 2_000);
    await clock.waitForSleepers(1);
    expect(api.containers.get(id)?.signals).toEqual(["SIGTERM"]);
    await clock.advance(1_999);
    expect(api.containers.get(id)?.status).toBe("running");
    await clock.advance(1);
    await stopped;
    expect(api.containers.get(id)?.signals).toEqual(["SIGTERM", "SIGKILL"]);
    expect(await engine.wait(id)).toEqual({ exitCode: 137, reason: "killed after 2000 ms" });
  });

  test("a container that exits on SIGTERM is not killed, and its exit code is its own", async () => {
    const { api, engine } = setup();
    const { id } = await engine.start({ name: "task_polite", image: "img", env: {}, labels: {} });
    await engine.stop(id, 60_000);
    expect(api.containers.get(id)?.signals).toEqual(["SIGTERM"]);
    expect(await engine.wait(id)).toEqual({ exitCode: 143, reason: "stopped" });
  });

  test("a timeout of 0 kills at once; stopping an exited or unknown container does nothing", async () => {
    const { api, engine } = setup();
    const { id } = await engine.start({ name: "task_now", image: "img", env: {}, labels: {} });
    await engine.stop(id, 0);
    expect(api.containers.get(id)?.signals).toEqual(["SIGKILL"]);
    expect(await engine.wait(id)).toEqual({ exitCode: 137, reason: "killed" });
    await engine.stop(id, 1_000);
    expect(api.containers.get(id)?.signals).toEqual(["SIGKILL"]);
    await engine.stop("0000gone", 1_000);
  });

  test("an exit of its own is not blamed on a stop that came too late", async () => {
    const { api, engine } = setup();
    const { id } = await engine.start({ name: "task_done", image: "img", env: {}, labels: {} });
    api.containers.get(id)?.exit(0);
    await engine.stop(id, 1_000);
    expect(await engine.wait(id)).toEqual({ exitCode: 0 });
  });

  test("close stops every container it started and still running, not the ones it only looked at; twice is fine", async () => {
    const { api, engine } = setup();
    const a = await engine.start({ name: "trigger_a", image: "img", env: {}, labels: {} });
    const b = await engine.start({ name: "task_b", image: "img", env: {}, labels: {} });
    api.containers.get(b.id)?.exit(0);
    await engine.wait(b.id);
    const foreign = await api.createContainer({
      name: "other",
      Image: "img",
      Env: [],
      Labels: {},
      HostConfig: { NetworkMode: "host" },
    });
    await foreign.start();
    await engine.inspect(foreign.id);
    await Promise.all([engine.close(5_000), engine.close(5_000)]);
    expect(api.containers.get(a.id)?.status).toBe("exited");
    expect(api.containers.get(a.id)?.signals).toEqual(["SIGTERM"]);
    expect(api.containers.get(b.id)?.signals).toEqual([]);
    expect(api.containers.get(foreign.id)?.status).toBe("running");
  });
});
