// An unreachable Docker daemon is a clear error and a retry, never a crash: the engine says where it looked and what
// the socket answered, start() retries with backoff, and a whole server comes up without a daemon (its triggers keep
// retrying, its task runs fail with SCHEDULER_ERROR). None of this needs a daemon.

import { FakeClock } from "@gofer/kernel";
import { TaskRun_TaskRunState, TaskRunStatusReason_Reason } from "@gofer/proto";
import { afterEach, describe, expect, test, vi } from "vitest";
import { connectDocker } from "../src/scheduler/docker-api.js";
import { DockerScheduler } from "../src/scheduler/docker-scheduler.js";
import { SchedulerError } from "../src/scheduler/scheduler.js";
import { FakeDockerApi, recordingLogger } from "./docker-fake-api.js";
import { startTestServer, type TestServer } from "./server-harness.js";

const UNREACHABLE =
  "Docker daemon unreachable at unix:///var/run/docker.sock (connect ENOENT /var/run/docker.sock): is Docker running?";

function engineOn(api: FakeDockerApi, clock = new FakeClock()) {
  const { logger, records } = recordingLogger();
  const engine = new DockerScheduler({
    api,
    network: "host",
    clock,
    logger,
    daemonAddress: "unix:///var/run/docker.sock",
    unreachableRetry: { attempts: 3, delayMs: 500 },
  });
  return { engine, clock, records };
}

describe("docker daemon unreachable", () => {
  test("a start fails with a clear error after its retries, each retry logged with its delay", async () => {
    const api = new FakeDockerApi();
    api.unreachable = true;
    const { engine, clock, records } = engineOn(api);
    const outcome = engine.start({ name: "trigger_x", image: "img", env: {}, labels: {} }).then(
      () => undefined,
      (error: unknown) => error,
    );
    await clock.waitForSleepers(1);
    await clock.advance(500);
    await clock.waitForSleepers(1);
    await clock.advance(1_000);
    const error = await outcome;
    expect(error).toBeInstanceOf(SchedulerError);
    expect((error as Error).message).toBe(
      `could not start container "trigger_x" from image "img": ${UNREACHABLE} (attempt 3 of 3)`,
    );
    expect(records.filter((r) => r.level === "warn").map((r) => r.retryInMs)).toEqual([500, 1_000]);
  });

  test("a daemon that comes back during the retries lets the start succeed", async () => {
    const api = new FakeDockerApi();
    api.images.add("img");
    api.unreachable = true;
    const { engine, clock } = engineOn(api);
    const started = engine.start({ name: "task_a", image: "img", env: {}, labels: {} });
    await clock.waitForSleepers(1);
    api.unreachable = false;
    await clock.advance(500);
    const { id } = await started;
    expect(api.containers.get(id)?.status).toBe("running");
  });

  test("wait, logs, inspect, list, stop and remove reject with a SchedulerError naming the daemon", async () => {
    const api = new FakeDockerApi();
    api.images.add("img");
    const { engine, clock } = engineOn(api);
    const { id } = await engine.start({ name: "task_b", image: "img", env: {}, labels: {} });
    api.unreachable = true;
    const failures = [
      engine.inspect(id),
      engine.list({ gofer: "true" }),
      engine.remove(id),
      engine.stop(id, 0),
      (async () => {
        for await (const _ of engine.logs(id)) {
          // nothing arrives
        }
      })(),
    ];
    for (const failure of failures) {
      await expect(failure).rejects.toThrow(SchedulerError);
      await expect(failure).rejects.toThrow(UNREACHABLE);
    }
    // The shared wait re-polls while the daemon is away, then gives up with the same clear error.
    const waited = engine.wait(id).then(
      () => undefined,
      (error: unknown) => error,
    );
    api.containers.get(id)?.exit(0);
    await clock.waitForSleepers(1);
    await clock.advance(500);
    await clock.waitForSleepers(1);
    await clock.advance(1_000);
    expect(((await waited) as Error).message).toBe(`could not wait for container task_b: ${UNREACHABLE}`);
    // Once the daemon is back, the next wait asks again and gets the exit code.
    api.unreachable = false;
    await expect(engine.wait(id)).resolves.toEqual({ exitCode: 0 });
  });

  test("the real client on a socket nobody listens on gives the same kind of error", async () => {
    const { logger } = recordingLogger();
    const engine = new DockerScheduler({
      api: connectDocker({ socketPath: "/nonexistent/gofer-docker.sock" }),
      network: "host",
      clock: new FakeClock(),
      logger,
      daemonAddress: "unix:///nonexistent/gofer-docker.sock",
      unreachableRetry: { attempts: 1, delayMs: 0 },
    });
    await expect(
      engine.start({ name: "trigger_y", image: "gofer-trigger-interval:latest", env: {}, labels: {} }),
    ).rejects.toThrow(
      'could not start container "trigger_y" from image "gofer-trigger-interval:latest": Docker daemon unreachable at unix:///nonexistent/gofer-docker.sock (connect ENOENT /nonexistent/gofer-docker.sock): is Docker running? (attempt 1 of 1)',
    );
    await expect(engine.inspect("abc")).rejects.toThrow("Docker daemon unreachable");
    await engine.close(0);
  });
});

describe("a server on the docker engine without a daemon", () => {
  let server: TestServer | undefined;
  const previous = process.env.DOCKER_HOST;
  afterEach(async () => {
    await server?.destroy();
    server = undefined;
    if (previous === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = previous;
  });

  test("starts and answers; its triggers keep retrying and a task run fails with SCHEDULER_ERROR", async () => {
    process.env.DOCKER_HOST = "unix:///nonexistent/gofer-docker.sock";
    server = await startTestServer({
      set: {
        "scheduler.engine": "docker",
        "scheduler.docker.network": "host",
        "triggers.install_base_triggers": true,
      },
    });
    const s = server;
    const triggers = (await s.api.listTriggers({})).triggers.map((t) => t.name).sort();
    expect(triggers).toEqual(["cron", "interval"]);
    await s.api.createPipeline({
      namespaceId: "default",
      pipelineConfig: {
        id: "nodaemon",
        name: "nodaemon",
        description: "",
        parallelism: 0n,
        triggers: [],
        tasks: [
          {
            task: {
              $case: "customTask",
              value: {
                id: "hello",
                description: "",
                image: "gofer-task-test:latest",
                registryAuth: undefined,
                dependsOn: {},
                variables: {},
                entrypoint: [],
                command: ["sh", "-c", "echo hello"],
              },
            },
          },
        ],
      },
    });
    const run = (
      await s.api.startRun({ namespaceId: "default", pipelineId: "nodaemon", variables: {}, initiator: undefined })
    ).run;
    const taskRun = await vi.waitFor(
      async () => {
        const found = (
          await s.api.getTaskRun({ namespaceId: "default", pipelineId: "nodaemon", runId: run?.id ?? 0n, id: "hello" })
        ).taskRun;
        expect(found?.state).toBe(TaskRun_TaskRunState.COMPLETE);
        return found;
      },
      { timeout: 20_000, interval: 100 },
    );
    expect(taskRun?.statusReason?.reason).toBe(TaskRunStatusReason_Reason.SCHEDULER_ERROR);
    expect(taskRun?.statusReason?.description).toContain(
      "Docker daemon unreachable at unix:///nonexistent/gofer-docker.sock",
    );
    // Still serving, and the triggers have not given up.
    const interval = (await s.api.getTrigger({ name: "interval" })).trigger;
    expect(interval?.url).toBe("");
  });
});
