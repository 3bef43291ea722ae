// Images on the docker engine: a local image is used as is, a missing one is pulled (with registry auth when given),
// alwaysPull falls back to a local image when the pull fails, and a failed pull of a missing image is a clear error
// naming the image. The fake daemon covers every branch; the real one proves the message for a registry that does not
// answer (127.0.0.1:1, so nothing leaves the machine).
import { FakeClock } from "@gofer/kernel";
import { describe, expect, inject, test } from "vitest";
import { connectDocker } from "../src/scheduler/docker-api.js";
import { registryOf } from "../src/scheduler/docker-image.js";
import { DockerScheduler } from "../src/scheduler/docker-scheduler.js";
import { SchedulerError } from "../src/scheduler/scheduler.js";
import { FakeDockerApi, httpError, recordingLogger } from "./docker-fake-api.js";

const docker = inject("docker");

function engineOn(api: FakeDockerApi) {
  const { logger, records } = recordingLogger();
  return { engine: new DockerScheduler({ api, network: "host", clock: new FakeClock(), logger }), records };
}

describe("docker images", () => {
  test("a local image is used as is, without a pull", async () => {
    const api = new FakeDockerApi();
    api.images.add("gofer-task-test:latest");
    const { engine } = engineOn(api);
    await engine.start({ name: "task_local", image: "gofer-task-test:latest", env: {}, labels: {} });
    expect(api.pulls).toEqual([]);
  });

  test("a missing image is pulled, with the registry auth given, from the registry its name names", async () => {
    const api = new FakeDockerApi();
    const { engine } = engineOn(api);
    await engine.start({
      name: "task_auth",
      image: "registry.example.com/team/task:1",
      registryAuth: { user: "robot", pass: "s3cret" },
      env: {},
      labels: {},
    });
    expect(api.pulls.map((p) => [p.image, p.options.authconfig])).toEqual([
      [
        "registry.example.com/team/task:1",
        { username: "robot", password: "s3cret", serveraddress: "registry.example.com" },
      ],
    ]);
  });

  test("a missing image whose pull is refused fails the start with the image, the registry and the reason", async () => {
    const api = new FakeDockerApi();
    api.pullOutcome = httpError(500, 'Get "http://127.0.0.1:1/v2/": dial tcp 127.0.0.1:1: connect: connection refused');
    const { engine } = engineOn(api);
    const started = engine.start({
      name: "task_refused",
      image: "127.0.0.1:1/gofer/missing:latest",
      env: {},
      labels: {},
    });
    await expect(started).rejects.toThrow(SchedulerError);
    await expect(started).rejects.toThrow(
      'image "127.0.0.1:1/gofer/missing:latest" is not present locally and could not be pulled from 127.0.0.1:1: Get "http://127.0.0.1:1/v2/": dial tcp 127.0.0.1:1: connect: connection refused',
    );
    expect(api.containers.size).toBe(0);
  });

  test("a pull that fails in its progress stream is a failed pull too, naming the user of the auth", async () => {
    const api = new FakeDockerApi();
    api.pullOutcome = "unauthorized: authentication required";
    const { engine } = engineOn(api);
    await expect(
      engine.start({
        name: "task_denied",
        image: "ghcr.io/acme/private:latest",
        registryAuth: { user: "robot", pass: "wrong" },
        env: {},
        labels: {},
      }),
    ).rejects.toThrow(
      'image "ghcr.io/acme/private:latest" is not present locally and could not be pulled from ghcr.io with registry auth of user "robot": unauthorized: authentication required',
    );
  });

  test("alwaysPull uses the local image when the pull fails, and says so in a warning", async () => {
    const api = new FakeDockerApi();
    api.images.add("gofer-trigger-interval:latest");
    api.pullOutcome = httpError(
      500,
      'Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host',
    );
    const { engine, records } = engineOn(api);
    await engine.start({
      name: "installer_0123456789",
      image: "gofer-trigger-interval:latest",
      alwaysPull: true,
      env: {},
      entrypoint: ["./trigger", "installer"],
      network: "none",
      labels: { "gofer.kind": "installer" },
    });
    expect(api.pulls).toHaveLength(1);
    expect(records.find((r) => r.level === "warn")).toMatchObject({
      message: "could not pull image; using the local one",
      image: "gofer-trigger-interval:latest",
      error: expect.stringContaining("no such host"),
    });
  });

  test("alwaysPull with a reachable registry pulls even a local image", async () => {
    const api = new FakeDockerApi();
    api.images.add("gofer-trigger-interval:latest");
    const { engine, records } = engineOn(api);
    await engine.start({
      name: "installer_a",
      image: "gofer-trigger-interval:latest",
      alwaysPull: true,
      env: {},
      labels: {},
    });
    expect(api.pulls.map((p) => p.image)).toEqual(["gofer-trigger-interval:latest"]);
    expect(records.filter((r) => r.level === "warn")).toEqual([]);
  });

  test("the registry of an image reference", () => {
    expect(registryOf("busybox")).toBe("https://index.docker.io/v1/");
    expect(registryOf("library/busybox:1")).toBe("https://index.docker.io/v1/");
    expect(registryOf("docker.io/library/busybox")).toBe("https://index.docker.io/v1/");
    expect(registryOf("ghcr.io/clintjedwards/gofer/triggers/cron:latest")).toBe("ghcr.io");
    expect(registryOf("localhost/x")).toBe("localhost");
    expect(registryOf("127.0.0.1:5000/x:1")).toBe("127.0.0.1:5000");
  });

  test.skipIf(!docker.available)("on a real daemon, a missing image from a registry that does not answer", async () => {
    const { logger } = recordingLogger();
    const engine = new DockerScheduler({ api: connectDocker(), network: "host", clock: new FakeClock(), logger });
    await expect(
      engine.start({
        name: "gofer_test_missing_image",
        image: "127.0.0.1:1/gofer/missing:latest",
        env: {},
        labels: {},
      }),
    ).rejects.toThrow(
      /^image "127\.0\.0\.1:1\/gofer\/missing:latest" is not present locally and could not be pulled from 127\.0\.0\.1:1: .*connection refused/,
    );
    await engine.close(0);
  });
});
