// The task-run reconciler's decisions, one per case of orphan repair, against a scheduler that knows exactly the
// containers each test gives it (no engine, no clock: nothing here waits).
import { describe, expect, test } from "vitest";
import winston from "winston";
import { type TaskRun, toTaskRun } from "../src/runs/run.js";
import type { RunRef } from "../src/runs/run-orchestrator.js";
import { taskContainerLabels } from "../src/runs/task-container.js";
import { reconcileTaskRun, type TaskRunReconcilerDeps } from "../src/runs/task-run-reconciler.js";
import type { ContainerState } from "../src/scheduler/scheduler.js";
import type { TaskRunRow } from "../src/storage/schema.js";
import { taskRunRow } from "./storage-fixtures.js";

const ref: RunRef = { namespaceId: "default", pipelineId: "build", runId: 3 };
const logger = winston.createLogger({ silent: true });

function taskRun(overrides: Partial<TaskRunRow>): TaskRun {
  return toTaskRun(
    taskRunRow(
      { namespace_id: ref.namespaceId, pipeline_id: ref.pipelineId, run_id: ref.runId },
      {
        id: "compile",
        description: "",
        image: "alpine",
        registry_auth: null,
        depends_on: {},
        variables: [],
        entrypoint: null,
        command: null,
      },
      overrides,
    ),
  );
}

/** A scheduler knowing `containers` (by id), each found by the labels it carries; records what the store is told. */
function world(containers: ContainerState[], options: { failing?: Error } = {}) {
  const started: Array<{ taskId: string; containerId: string }> = [];
  const deps: TaskRunReconcilerDeps = {
    scheduler: {
      engine: "docker",
      async list(labels) {
        if (options.failing) throw options.failing;
        return containers.filter(
          (c) => c.state !== "unknown" && Object.entries(labels).every(([k, v]) => c.labels[k] === v),
        );
      },
      async inspect(id) {
        if (options.failing) throw options.failing;
        return containers.find((c) => c.id === id) ?? { state: "unknown", id };
      },
    },
    store: {
      async startTaskRun(_ref, taskId, containerId) {
        started.push({ taskId, containerId });
      },
    },
    logger,
  };
  return { deps, started };
}

const labels = taskContainerLabels(ref, "compile");

describe("reconciling a task run an earlier process left", () => {
  test("a task run that never started and has no container is left for the DAG to start", async () => {
    const { deps, started } = world([]);
    for (const state of ["PROCESSING", "WAITING"] as const) {
      expect(await reconcileTaskRun(deps, ref, taskRun({ state }))).toEqual({ action: "start" });
    }
    expect(started).toEqual([]);
  });

  test("a container started but not yet recorded is found by its labels, recorded RUNNING and followed", async () => {
    const { deps, started } = world([{ state: "running", id: "c-1", labels }]);
    expect(await reconcileTaskRun(deps, ref, taskRun({ state: "PROCESSING" }))).toEqual({
      action: "follow",
      containerId: "c-1",
    });
    expect(started).toEqual([{ taskId: "compile", containerId: "c-1" }]);
  });

  test("a recorded container that exited meanwhile is followed for its exit code", async () => {
    const { deps, started } = world([{ state: "exited", id: "c-2", labels, exitCode: 4 }]);
    const decision = await reconcileTaskRun(deps, ref, taskRun({ state: "RUNNING", scheduler_id: "c-2" }));
    expect(decision).toEqual({ action: "follow", containerId: "c-2" });
    expect(started).toEqual([]);
  });

  test("a task run recorded RUNNING without a container id or a labelled container is ORPHANED", async () => {
    const { deps } = world([{ state: "running", id: "other", labels: { ...labels, "gofer.task": "lint" } }]);
    expect(await reconcileTaskRun(deps, ref, taskRun({ state: "RUNNING", scheduler_id: null }))).toEqual({
      action: "complete",
      result: {
        status: "FAILED",
        reason: { reason: "ORPHANED", description: "Task run was RUNNING but has no container to check" },
        exitCode: null,
      },
    });
  });

  test("a recorded container the scheduler no longer knows is ORPHANED, naming the engine and the container", async () => {
    const { deps } = world([]);
    expect(await reconcileTaskRun(deps, ref, taskRun({ state: "RUNNING", scheduler_id: "gone" }))).toEqual({
      action: "complete",
      result: {
        status: "FAILED",
        reason: {
          reason: "ORPHANED",
          description: 'Task run was left RUNNING and the docker scheduler no longer knows its container "gone"',
        },
        exitCode: null,
      },
    });
  });

  test("a scheduler that cannot be asked fails the task run with SCHEDULER_ERROR and its message", async () => {
    const { deps } = world([], { failing: new Error("daemon unreachable") });
    expect(await reconcileTaskRun(deps, ref, taskRun({ state: "RUNNING", scheduler_id: "c-3" }))).toEqual({
      action: "complete",
      result: {
        status: "FAILED",
        reason: { reason: "SCHEDULER_ERROR", description: "Could not reconcile the task run: daemon unreachable" },
        exitCode: null,
      },
    });
  });
});
