// Rows the storage-level tests seed the database with.
import type { NewRunRow } from "../src/storage/run-repository.js";
import type { PipelineRow, TaskRecord, TaskRunRow } from "../src/storage/schema.js";

/** An ACTIVE pipeline row with no parallelism limit and no errors; `overrides` change any column. */
export function pipelineRow(namespaceId: string, id: string, overrides: Partial<PipelineRow> = {}): PipelineRow {
  return {
    namespace_id: namespaceId,
    id,
    name: id,
    description: "",
    parallelism: 0,
    state: "ACTIVE",
    created: 1,
    modified: 1,
    errors: [],
    ...overrides,
  };
}

/** A PENDING run fired by the interval trigger, not yet numbered; `overrides` change any column. */
export function newRunRow(namespaceId: string, pipelineId: string, overrides: Partial<NewRunRow> = {}): NewRunRow {
  return {
    namespace_id: namespaceId,
    pipeline_id: pipelineId,
    started: 1,
    ended: null,
    state: "PENDING",
    status: "UNKNOWN",
    status_reason: null,
    trigger_name: "interval",
    trigger_label: "every",
    variables: [],
    store_objects_expired: false,
    event_id: null,
    ...overrides,
  };
}

/** A task run just created (PROCESSING, nothing started), of the run `key` names; `overrides` change any column. */
export function taskRunRow(
  key: Pick<TaskRunRow, "namespace_id" | "pipeline_id" | "run_id">,
  task: TaskRecord,
  overrides: Partial<TaskRunRow> = {},
): TaskRunRow {
  return {
    ...key,
    id: task.id,
    task,
    created: 1,
    started: null,
    ended: null,
    exit_code: null,
    state: "PROCESSING",
    status: "UNKNOWN",
    status_reason: null,
    logs_expired: false,
    logs_removed: false,
    variables: [],
    scheduler_id: null,
    ...overrides,
  };
}
