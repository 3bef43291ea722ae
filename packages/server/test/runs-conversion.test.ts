// toRun/toTaskRun: the one place storage rows become the domain runs the engine and the API work with.
import { describe, expect, test } from "vitest";
import { toRun, toTaskRun } from "../src/runs/run.js";
import type { RunRow, TaskRecord, TaskRunRow } from "../src/storage/schema.js";
import { taskRunRow } from "./storage-fixtures.js";

const runRow: RunRow = {
  namespace_id: "team",
  pipeline_id: "build",
  id: 7,
  started: 1_000,
  ended: 2_000,
  state: "COMPLETE",
  status: "FAILED",
  status_reason: { reason: "ABNORMAL_EXIT", description: 'Task run "test" failed' },
  trigger_name: "cron",
  trigger_label: "nightly",
  variables: [{ key: "BRANCH", value: "main", source: "TRIGGER" }],
  store_objects_expired: true,
  event_id: 42,
};

const task: TaskRecord = {
  id: "test",
  description: "runs the tests",
  image: "ubuntu:latest",
  registry_auth: { user: "robot", pass: "secret" },
  depends_on: { build: "SUCCESS" },
  variables: [{ key: "LEVEL", value: "3", source: "PIPELINE_CONFIG" }],
  entrypoint: ["/bin/sh", "-c"],
  command: ["make test"],
};

describe("run and task run rows as domain objects", () => {
  test("every column of a run reaches its domain field, with the task run ids given", () => {
    expect(toRun(runRow, ["build", "test"])).toEqual({
      namespaceId: "team",
      pipelineId: "build",
      id: 7,
      started: 1_000,
      ended: 2_000,
      state: "COMPLETE",
      status: "FAILED",
      statusReason: { reason: "ABNORMAL_EXIT", description: 'Task run "test" failed' },
      taskRunIds: ["build", "test"],
      trigger: { name: "cron", label: "nightly" },
      variables: [{ key: "BRANCH", value: "main", source: "TRIGGER" }],
      storeObjectsExpired: true,
      eventId: 42,
    });
  });

  test("a run without a reason or event keeps them null, and shares no array with the row", () => {
    const row: RunRow = { ...runRow, status_reason: null, event_id: null, ended: null, variables: [] };
    const ids = ["only"];
    const run = toRun(row, ids);
    expect(run).toMatchObject({ statusReason: null, eventId: null, ended: null, variables: [] });
    ids.push("later");
    expect(run.taskRunIds).toEqual(["only"]);
  });

  test("every column of a task run reaches its domain field, its task as a snapshot", () => {
    const row: TaskRunRow = taskRunRow({ namespace_id: "team", pipeline_id: "build", run_id: 7 }, task, {
      created: 10,
      started: 11,
      ended: 12,
      exit_code: 2,
      state: "COMPLETE",
      status: "FAILED",
      status_reason: { reason: "ABNORMAL_EXIT", description: "Task run exited with abnormal exit code 2" },
      logs_expired: true,
      logs_removed: false,
      variables: [{ key: "GOFER_TASK_ID", value: "test", source: "SYSTEM" }],
      scheduler_id: "container-1",
    });
    expect(toTaskRun(row)).toEqual({
      namespaceId: "team",
      pipelineId: "build",
      runId: 7,
      id: "test",
      task: {
        id: "test",
        description: "runs the tests",
        image: "ubuntu:latest",
        registryAuth: { user: "robot", pass: "secret" },
        dependsOn: { build: "SUCCESS" },
        variables: [{ key: "LEVEL", value: "3", source: "PIPELINE_CONFIG" }],
        entrypoint: ["/bin/sh", "-c"],
        command: ["make test"],
      },
      created: 10,
      started: 11,
      ended: 12,
      exitCode: 2,
      state: "COMPLETE",
      status: "FAILED",
      statusReason: { reason: "ABNORMAL_EXIT", description: "Task run exited with abnormal exit code 2" },
      logsExpired: true,
      logsRemoved: false,
      variables: [{ key: "GOFER_TASK_ID", value: "test", source: "SYSTEM" }],
      schedulerId: "container-1",
    });
  });

  test("a common task's name and settings come along; a plain task has no commonTask at all", () => {
    const key = { namespace_id: "team", pipeline_id: "build", run_id: 7 };
    const common = toTaskRun(taskRunRow(key, { ...task, common_task: { name: "debug", settings: { filter: "all" } } }));
    expect(common.task.commonTask).toEqual({ name: "debug", settings: { filter: "all" } });
    const plain = toTaskRun(taskRunRow(key, { ...task, registry_auth: null, entrypoint: null, command: null }));
    expect("commonTask" in plain.task).toBe(false);
    expect(plain.task).toMatchObject({ registryAuth: null, entrypoint: null, command: null });
  });
});
