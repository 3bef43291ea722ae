// The domain view of runs and task runs, apart from their storage rows (storage/schema.ts) and from proto (api/).
// toRun/toTaskRun are the one place rows become domain objects. States and statuses are the storage unions, which
// carry the proto enum names (spec §1.5):
//   run:      PENDING → RUNNING → COMPLETE, status SUCCESSFUL | FAILED | CANCELLED (UNKNOWN until COMPLETE)
//   task run: PROCESSING → WAITING → RUNNING → COMPLETE, status SUCCESSFUL | FAILED | CANCELLED | SKIPPED
import type {
  RequiredParentStatus,
  RunRow,
  RunState,
  RunStatus,
  RunStatusReasonKind,
  TaskRunRow,
  TaskRunState,
  TaskRunStatus,
  TaskRunStatusReasonKind,
  VariableSource,
} from "../storage/schema.js";

export interface Variable {
  readonly key: string;
  readonly value: string;
  readonly source: VariableSource;
}

export interface Run {
  readonly namespaceId: string;
  readonly pipelineId: string;
  readonly id: number;
  /** When the run was created (epoch ms), as the original. */
  readonly started: number;
  /** null until COMPLETE. */
  readonly ended: number | null;
  readonly state: RunState;
  readonly status: RunStatus;
  readonly statusReason: { readonly reason: RunStatusReasonKind; readonly description: string } | null;
  /** Ids of the run's task runs (= task ids), in creation order. */
  readonly taskRunIds: readonly string[];
  /** Manual runs: { name: "manual", label: "api" }. */
  readonly trigger: { readonly name: string; readonly label: string };
  readonly variables: readonly Variable[];
  readonly storeObjectsExpired: boolean;
  /** The FIRED_TRIGGER_EVENT that started the run; null for manual runs. */
  readonly eventId: number | null;
}

/** The task as it was when its task run was created. */
export interface TaskSnapshot {
  readonly id: string;
  readonly description: string;
  readonly image: string;
  readonly registryAuth: { readonly user: string; readonly pass: string } | null;
  readonly dependsOn: Readonly<Record<string, RequiredParentStatus>>;
  readonly variables: readonly Variable[];
  readonly entrypoint: readonly string[] | null;
  readonly command: readonly string[] | null;
  /** Set for a common task: its registration's name and the pipeline's settings for it. */
  readonly commonTask?: { readonly name: string; readonly settings: Readonly<Record<string, string>> };
}

export interface TaskRun {
  readonly namespaceId: string;
  readonly pipelineId: string;
  readonly runId: number;
  /** The task's id: unique within the run. */
  readonly id: string;
  readonly task: TaskSnapshot;
  readonly created: number;
  readonly started: number | null;
  readonly ended: number | null;
  readonly exitCode: number | null;
  readonly state: TaskRunState;
  readonly status: TaskRunStatus;
  readonly statusReason: { readonly reason: TaskRunStatusReasonKind; readonly description: string } | null;
  readonly logsExpired: boolean;
  readonly logsRemoved: boolean;
  /** Every variable the task sees, one per key, each with the source that won (spec §1.5 Variable). */
  readonly variables: readonly Variable[];
  /** The scheduler's id of the container while (or after) it runs. */
  readonly schedulerId: string | null;
}

export function toRun(row: RunRow, taskRunIds: readonly string[]): Run {
  return {
    namespaceId: row.namespace_id,
    pipelineId: row.pipeline_id,
    id: row.id,
    started: row.started,
    ended: row.ended,
    state: row.state,
    status: row.status,
    statusReason: row.status_reason && { reason: row.status_reason.reason, description: row.status_reason.description },
    taskRunIds: [...taskRunIds],
    trigger: { name: row.trigger_name, label: row.trigger_label },
    variables: row.variables.map(toVariable),
    storeObjectsExpired: row.store_objects_expired,
    eventId: row.event_id,
  };
}

export function toTaskRun(row: TaskRunRow): TaskRun {
  const task = row.task;
  return {
    namespaceId: row.namespace_id,
    pipelineId: row.pipeline_id,
    runId: row.run_id,
    id: row.id,
    task: {
      id: task.id,
      description: task.description,
      image: task.image,
      registryAuth: task.registry_auth && { user: task.registry_auth.user, pass: task.registry_auth.pass },
      dependsOn: { ...task.depends_on },
      variables: task.variables.map(toVariable),
      entrypoint: task.entrypoint && [...task.entrypoint],
      command: task.command && [...task.command],
      ...(task.common_task
        ? { commonTask: { name: task.common_task.name, settings: { ...task.common_task.settings } } }
        : {}),
    },
    created: row.created,
    started: row.started,
    ended: row.ended,
    exitCode: row.exit_code,
    state: row.state,
    status: row.status,
    statusReason: row.status_reason && { reason: row.status_reason.reason, description: row.status_reason.description },
    logsExpired: row.logs_expired,
    logsRemoved: row.logs_removed,
    variables: row.variables.map(toVariable),
    schedulerId: row.scheduler_id,
  };
}

function toVariable(variable: Variable): Variable {
  return { key: variable.key, value: variable.value, source: variable.source };
}
