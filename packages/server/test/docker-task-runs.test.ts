// The whole path on a real Docker daemon: a server on the docker engine (host networking), the interval trigger as a
// container, and task runs as containers whose output lands in the task run logs. Runs whenever a daemon answers, and
// always in CI (the global setup fails the run there without one).
import {
  TaskRun_TaskRunState,
  TaskRun_TaskRunStatus,
  TaskRunStatusReason_Reason,
  Trigger_TriggerState,
} from "@gofer/proto";
import { afterEach, describe, expect, inject, test, vi } from "vitest";
import {
  containerName,
  containersLabelled,
  docker,
  INTERVAL_IMAGE,
  pipelineConfig,
  removeContainersLabelled,
  startDockerServer,
  taskRunLogLines,
  uniqueId,
  WAIT,
} from "./docker-harness.js";
import type { TestServer } from "./server-harness.js";

const available = inject("docker").available;
let cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function start(set: Record<string, string | number | boolean> = {}): Promise<TestServer> {
  const s = await startDockerServer({ set });
  cleanups.push(() => s.destroy());
  return s;
}

function removeAfterwards(labels: Record<string, string>): void {
  cleanups.unshift(() => removeContainersLabelled(labels));
}

async function taskRun(s: TestServer, pipelineId: string, runId: bigint, id: string) {
  return (await s.api.getTaskRun({ namespaceId: "default", pipelineId, runId, id })).taskRun;
}

describe.skipIf(!available)("docker engine: task runs", () => {
  test("an interval trigger container starts runs whose task containers print their environment into the logs", async () => {
    const s = await start();
    const trigger = uniqueId("iv");
    const pipelineId = uniqueId("env");
    removeAfterwards({ "gofer.trigger": trigger });
    removeAfterwards({ "gofer.pipeline": pipelineId });

    await s.api.installTrigger({
      name: trigger,
      image: INTERVAL_IMAGE,
      user: "",
      pass: "",
      variables: { MIN_DURATION: "100ms" },
    });
    const installed = (await s.api.getTrigger({ name: trigger })).trigger;
    expect(installed?.state).toBe(Trigger_TriggerState.RUNNING);
    expect(installed?.url).toMatch(/^127\.0\.0\.1:\d+$/);
    const triggerContainer = await docker.getContainer(containerName(s, `trigger_${trigger}`)).inspect();
    expect(triggerContainer.State.Running).toBe(true);
    expect(triggerContainer.Config.Labels).toMatchObject({
      gofer: "true",
      "gofer.kind": "trigger",
      "gofer.trigger": trigger,
    });

    await s.api.createPipeline({
      namespaceId: "default",
      pipelineConfig: pipelineConfig(
        pipelineId,
        [
          {
            id: "env",
            command: ["sh", "-c", 'echo "greeting=$GREETING"; env | sort'],
            variables: { GREETING: "hello from a container" },
          },
        ],
        // Every half second: a run soon, without a task container every quarter second on a shared daemon.
        [{ name: trigger, label: "tick", settings: { EVERY: "500ms" } }],
      ),
    });
    const first = await vi.waitFor(async () => {
      const found = await taskRun(s, pipelineId, 1n, "env");
      expect(found?.state).toBe(TaskRun_TaskRunState.COMPLETE);
      return found;
    }, WAIT);
    expect(first?.status).toBe(TaskRun_TaskRunStatus.SUCCESSFUL);
    expect(first?.exitCode).toBe(0n);

    const lines = await taskRunLogLines(s, pipelineId, 1n, "env");
    expect(lines[0]).toBe("greeting=hello from a container");
    expect(lines).toEqual(
      expect.arrayContaining([
        "GOFER_NAMESPACE_ID=default",
        `GOFER_PIPELINE_ID=${pipelineId}`,
        "GOFER_RUN_ID=1",
        "GOFER_TASK_ID=env",
        "GOFER_TASK_IMAGE=gofer-task-test:latest",
        "GREETING=hello from a container",
      ]),
    );
    const run = (await s.api.getRun({ namespaceId: "default", pipelineId, id: 1n })).run;
    expect(run?.trigger).toEqual({ name: trigger, label: "tick" });

    const taskContainer = await docker.getContainer(containerName(s, `task.default.${pipelineId}.1.env`)).inspect();
    // Labels the image carries (our offline images' gofer.inputs build hash) are inherited; the server sets these.
    const { "gofer.inputs": _imageLabel, ...serverLabels } = taskContainer.Config.Labels ?? {};
    expect(serverLabels).toEqual({
      gofer: "true",
      "gofer.kind": "task",
      "gofer.namespace": "default",
      "gofer.pipeline": pipelineId,
      "gofer.run": "1",
      "gofer.task": "env",
      "gofer.instance": s.server.instanceId,
    });

    await s.stop();
    expect(await containersLabelled({ "gofer.trigger": trigger })).toEqual([]);
    expect(await containersLabelled({ "gofer.pipeline": pipelineId })).toEqual([]);
  }, 90_000);

  test("a task run's output can be followed while its container runs", async () => {
    const s = await start();
    const pipelineId = uniqueId("follow");
    removeAfterwards({ "gofer.pipeline": pipelineId });
    await s.api.createPipeline({
      namespaceId: "default",
      pipelineConfig: pipelineConfig(pipelineId, [
        { id: "slow", command: ["sh", "-c", "echo first; sleep 1; echo second >&2; echo third"] },
      ]),
    });
    await s.api.startRun({ namespaceId: "default", pipelineId, variables: {}, initiator: undefined });
    await vi.waitFor(
      async () => expect((await taskRun(s, pipelineId, 1n, "slow"))?.state).toBe(TaskRun_TaskRunState.RUNNING),
      WAIT,
    );

    const stream = s.client.getTaskRunLogs({ namespaceId: "default", pipelineId, runId: 1n, id: "slow" });
    const lines: string[] = [];
    let stateAtFirstLine: TaskRun_TaskRunState | undefined;
    for await (const response of stream) {
      if (lines.length === 0) stateAtFirstLine = (await taskRun(s, pipelineId, 1n, "slow"))?.state;
      lines.push(response.logLine);
    }
    expect(stateAtFirstLine).toBe(TaskRun_TaskRunState.RUNNING);
    // stdout and stderr reach the daemon through separate pipes: their relative order is not kept (as with docker logs).
    expect(lines[0]).toBe("first");
    expect([...lines].sort()).toEqual(["first", "second", "third"]);
    expect((await taskRun(s, pipelineId, 1n, "slow"))?.status).toBe(TaskRun_TaskRunStatus.SUCCESSFUL);
  }, 60_000);

  test("cancelling a run stops its container within task_execution_stop_timeout", async () => {
    const s = await start({ task_execution_stop_timeout: "1s" });
    const pipelineId = uniqueId("cancel");
    removeAfterwards({ "gofer.pipeline": pipelineId });
    await s.api.createPipeline({
      namespaceId: "default",
      pipelineConfig: pipelineConfig(pipelineId, [{ id: "forever", command: ["sh", "-c", "echo started; sleep 300"] }]),
    });
    await s.api.startRun({ namespaceId: "default", pipelineId, variables: {}, initiator: undefined });
    await vi.waitFor(
      async () => expect((await taskRun(s, pipelineId, 1n, "forever"))?.state).toBe(TaskRun_TaskRunState.RUNNING),
      WAIT,
    );

    const cancelledAtMs = performance.timeOrigin + performance.now();
    await s.api.cancelRun({ namespaceId: "default", pipelineId, runId: 1n, force: false });
    const cancelled = await vi.waitFor(async () => {
      const found = await taskRun(s, pipelineId, 1n, "forever");
      expect(found?.state).toBe(TaskRun_TaskRunState.COMPLETE);
      return found;
    }, WAIT);
    expect(cancelled?.status).toBe(TaskRun_TaskRunStatus.CANCELLED);
    expect(cancelled?.exitCode).toBe(137n);
    const container = await docker.getContainer(containerName(s, `task.default.${pipelineId}.1.forever`)).inspect();
    expect(container.State.Running).toBe(false);
    // busybox sh as PID 1 ignores SIGTERM: the kill at the 1 s timeout ends it, not before and not much after.
    const stoppedAfterMs = Date.parse(container.State.FinishedAt ?? "") - cancelledAtMs;
    expect(stoppedAfterMs).toBeGreaterThanOrEqual(900);
    expect(stoppedAfterMs).toBeLessThan(3_000);
    expect(await taskRunLogLines(s, pipelineId, 1n, "forever")).toEqual(["started"]);
  }, 60_000);

  test("a missing image fails the task run with SCHEDULER_ERROR naming the image", async () => {
    const s = await start();
    const pipelineId = uniqueId("missing");
    removeAfterwards({ "gofer.pipeline": pipelineId });
    await s.api.createPipeline({
      namespaceId: "default",
      pipelineConfig: pipelineConfig(pipelineId, [
        { id: "nothing", image: "127.0.0.1:1/gofer/missing:latest", command: ["sh", "-c", "true"] },
      ]),
    });
    await s.api.startRun({ namespaceId: "default", pipelineId, variables: {}, initiator: undefined });
    const failed = await vi.waitFor(async () => {
      const found = await taskRun(s, pipelineId, 1n, "nothing");
      expect(found?.state).toBe(TaskRun_TaskRunState.COMPLETE);
      return found;
    }, WAIT);
    expect(failed?.status).toBe(TaskRun_TaskRunStatus.FAILED);
    expect(failed?.statusReason?.reason).toBe(TaskRunStatusReason_Reason.SCHEDULER_ERROR);
    expect(failed?.statusReason?.description).toMatch(
      /^Task could not be run due to inability to be scheduled; image "127\.0\.0\.1:1\/gofer\/missing:latest" is not present locally and could not be pulled from 127\.0\.0\.1:1: .*connection refused/,
    );
    expect(await containersLabelled({ "gofer.pipeline": pipelineId }, { all: true })).toEqual([]);
  }, 60_000);
});
