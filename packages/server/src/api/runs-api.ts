// Run and task-run RPCs → the run orchestrator (RunControl) and the run lookups, with proto conversion at this edge.
import {
  type CancelAllRunsRequest,
  type CancelAllRunsResponse,
  type CancelRunRequest,
  type CancelTaskRunRequest,
  CustomTask_RequiredParentStatus,
  type DeleteTaskRunLogsRequest,
  type GetRunRequest,
  type GetRunResponse,
  type GetTaskRunLogsRequest,
  type GetTaskRunRequest,
  type GetTaskRunResponse,
  type Initiator_Type,
  type ListRunsRequest,
  type ListRunsResponse,
  type ListTaskRunsRequest,
  type ListTaskRunsResponse,
  PipelineCommonTaskSettings_RequiredParentStatus,
  Run as ProtoRun,
  TaskRun as ProtoTaskRun,
  type RetryRunRequest,
  type RetryRunResponse,
  Run_RunState,
  Run_RunStatus,
  RunStatusReason_RunStatusReasonKind,
  RunV05,
  type StartRunRequest,
  type StartRunResponse,
  TaskRun_TaskRunState,
  TaskRun_TaskRunStatus,
  TaskRunStatusReason_Reason,
} from "@gofer/proto";
import type { Kysely } from "kysely";
import type { Logger } from "winston";
import { EXTENSION_NAME_KEY, isExtensionToken } from "../auth/token.js";
import type { EventProcessor } from "../event-processing/event-processor.js";
import type { Run, TaskRun } from "../runs/run.js";
import type { RunControl, RunRef, TaskRunLogLine } from "../runs/run-orchestrator.js";
import type { RunStore } from "../runs/run-store.js";
import type { Schema } from "../storage/schema.js";
import { startRunForExtension } from "../triggers/extension-runs.js";
import { toSafeId } from "../validation/input-limits.js";
import { fitAnswer } from "./answer-budget.js";
import type { CallContext } from "./call-context.js";
import { StartRunV05Reply } from "./service-definition.js";

export interface RunsApi {
  getRun(request: GetRunRequest, context: CallContext): Promise<GetRunResponse>;
  listRuns(request: ListRunsRequest, context: CallContext): Promise<ListRunsResponse>;
  startRun(request: StartRunRequest, context: CallContext): Promise<StartRunResponse | StartRunV05Reply>;
  retryRun(request: RetryRunRequest, context: CallContext): Promise<RetryRunResponse>;
  cancelRun(request: CancelRunRequest, context: CallContext): Promise<object>;
  cancelAllRuns(request: CancelAllRunsRequest, context: CallContext): Promise<CancelAllRunsResponse>;
  getTaskRun(request: GetTaskRunRequest, context: CallContext): Promise<GetTaskRunResponse>;
  listTaskRuns(request: ListTaskRunsRequest, context: CallContext): Promise<ListTaskRunsResponse>;
  cancelTaskRun(request: CancelTaskRunRequest, context: CallContext): Promise<object>;
  taskRunLogs(request: GetTaskRunLogsRequest, context: CallContext): AsyncIterable<TaskRunLogLine>;
  deleteTaskRunLogs(request: DeleteTaskRunLogsRequest, context: CallContext): Promise<object>;
  repairOrphan(ref: RunRef): Promise<void>;
}

const big = (n: number | null | undefined): bigint => BigInt(Math.trunc(n ?? 0));

export function toProtoRun(run: Run): ProtoRun {
  return ProtoRun.fromPartial({
    namespace: run.namespaceId,
    pipeline: run.pipelineId,
    id: big(run.id),
    started: big(run.started),
    ended: big(run.ended),
    state: Run_RunState[run.state],
    status: run.status === "UNKNOWN" ? Run_RunStatus.RUN_STATUS_UNKNOWN : Run_RunStatus[run.status],
    statusReason: run.statusReason
      ? {
          reason:
            run.statusReason.reason === "UNKNOWN"
              ? RunStatusReason_RunStatusReasonKind.RUN_STATUS_REASON_UNKNOWN
              : RunStatusReason_RunStatusReasonKind[run.statusReason.reason],
          description: run.statusReason.description,
        }
      : undefined,
    taskRuns: [...run.taskRunIds],
    trigger: { name: run.trigger.name, label: run.trigger.label },
    variables: run.variables.map((v) => ({ ...v })),
    storeObjectsExpired: run.storeObjectsExpired,
  });
}

/** The v0.5 layout (spec §5.3): id at field 4, the initiator in place of the trigger. */
export function toProtoRunV05(run: Run, initiator: { type: Initiator_Type; name: string; reason: string }): RunV05 {
  const v04 = toProtoRun(run);
  return RunV05.fromPartial({
    namespace: v04.namespace,
    pipeline: v04.pipeline,
    id: v04.id,
    started: v04.started,
    ended: v04.ended,
    state: v04.state,
    status: v04.status,
    statusReason: v04.statusReason,
    initiator: { type: initiator.type, name: initiator.name, reason: initiator.reason },
    variables: v04.variables,
    storeObjectsExpired: v04.storeObjectsExpired,
  });
}

export function toProtoTaskRun(taskRun: TaskRun): ProtoTaskRun {
  const task = taskRun.task;
  return ProtoTaskRun.fromPartial({
    created: big(taskRun.created),
    ended: big(taskRun.ended),
    exitCode: big(taskRun.exitCode),
    statusReason: taskRun.statusReason
      ? {
          reason: TaskRunStatusReason_Reason[taskRun.statusReason.reason],
          description: taskRun.statusReason.description,
        }
      : undefined,
    id: taskRun.id,
    logsExpired: taskRun.logsExpired,
    logsRemoved: taskRun.logsRemoved,
    namespace: taskRun.namespaceId,
    pipeline: taskRun.pipelineId,
    run: big(taskRun.runId),
    started: big(taskRun.started),
    state: TaskRun_TaskRunState[taskRun.state],
    status: taskRun.status === "UNKNOWN" ? TaskRun_TaskRunStatus.UNKNOWN_STATUS : TaskRun_TaskRunStatus[taskRun.status],
    task: task.commonTask
      ? {
          $case: "commonTask",
          value: {
            settings: {
              name: task.commonTask.name,
              label: task.id,
              description: task.description,
              dependsOn: Object.fromEntries(
                Object.entries(task.dependsOn).map(([k, v]) => [k, PipelineCommonTaskSettings_RequiredParentStatus[v]]),
              ),
              settings: { ...task.commonTask.settings },
            },
            registration: { name: task.commonTask.name, image: task.image },
          },
        }
      : {
          $case: "customTask",
          value: {
            id: task.id,
            description: task.description,
            image: task.image,
            registryAuth: task.registryAuth ? { ...task.registryAuth } : undefined,
            dependsOn: Object.fromEntries(
              Object.entries(task.dependsOn).map(([k, v]) => [k, CustomTask_RequiredParentStatus[v]]),
            ),
            variables: task.variables.map((v) => ({ ...v })),
            entrypoint: [...(task.entrypoint ?? [])],
            command: [...(task.command ?? [])],
          },
        },
    variables: taskRun.variables.map((v) => ({ ...v })),
  });
}

export interface RunsApiDeps {
  db: Kysely<Schema>;
  /** Runs and task runs are read through the run engine's storage port. */
  store: RunStore;
  orchestrator: RunControl;
  processor: EventProcessor;
  resultsLimit: number;
  /** Warns when a stored run is too large to list (answer-budget.ts). */
  logger: Logger;
}

export function createRunsApi(deps: RunsApiDeps): RunsApi {
  const { db, store, orchestrator } = deps;
  const ref = (context: CallContext, r: { namespaceId: string; pipelineId: string }, runId: bigint): RunRef => ({
    namespaceId: context.namespace(r.namespaceId),
    pipelineId: r.pipelineId,
    runId: toSafeId("run_id", runId),
  });
  const fit = <T extends ProtoRun | ProtoTaskRun>(items: T[], encode: (item: T) => number, what: string): T[] =>
    fitAnswer(items, {
      size: encode,
      describe: (item) => `${what} ${item.namespace}/${item.pipeline}/${item.id}`,
      logger: deps.logger,
    });
  return {
    async getRun(request, context) {
      return { run: toProtoRun(await store.findRun(ref(context, request, request.id))) };
    },
    async listRuns(request, context) {
      const limit = Number(request.limit) <= 0 ? deps.resultsLimit : Math.min(Number(request.limit), deps.resultsLimit);
      const runs = await store.listRuns({
        namespaceId: context.namespace(request.namespaceId),
        pipelineId: request.pipelineId,
        offset: Math.max(0, Number(request.offset)),
        limit,
      });
      return { runs: fit(runs.map(toProtoRun), (r) => ProtoRun.encode(r).finish().length, "run") };
    },
    async startRun(request, context) {
      const namespaceId = context.namespace(request.namespaceId);
      let run: Run;
      if (isExtensionToken(context.caller.metadata)) {
        const ref = await startRunForExtension(db, deps.processor, {
          extensionName: context.caller.metadata[EXTENSION_NAME_KEY] ?? "",
          namespaceId,
          pipelineId: request.pipelineId,
          variables: request.variables,
          initiator: request.initiator,
        });
        run = await store.findRun(ref);
      } else {
        run = await orchestrator.startRun(namespaceId, request.pipelineId, request.variables);
      }
      // The layout follows the caller: a v0.5 request (with an initiator) gets the v0.5 Run, a v0.4 one the v0.4 Run.
      if (request.initiator) return new StartRunV05Reply({ run: toProtoRunV05(run, request.initiator) });
      return { run: toProtoRun(run) };
    },
    async retryRun(request, context) {
      return { run: toProtoRun(await orchestrator.retryRun(ref(context, request, request.runId))) };
    },
    async cancelRun(request, context) {
      await orchestrator.cancelRun(ref(context, request, request.runId), { force: request.force });
      return {};
    },
    async cancelAllRuns(request, context) {
      const ids = await orchestrator.cancelAllRuns(context.namespace(request.namespaceId), request.pipelineId, {
        force: request.force,
      });
      return { runs: ids.map((id) => BigInt(id)) };
    },
    async getTaskRun(request, context) {
      return { taskRun: toProtoTaskRun(await store.findTaskRun(ref(context, request, request.runId), request.id)) };
    },
    async listTaskRuns(request, context) {
      const taskRuns = (await store.findTaskRuns(ref(context, request, request.runId))).map(toProtoTaskRun);
      return { taskRuns: fit(taskRuns, (t) => ProtoTaskRun.encode(t).finish().length, "task run") };
    },
    async cancelTaskRun(request, context) {
      await orchestrator.cancelTaskRun(ref(context, request, request.runId), request.id, { force: request.force });
      return {};
    },
    async *taskRunLogs(request, context) {
      yield* await orchestrator.taskRunLogs(ref(context, request, request.runId), request.id, context.signal);
    },
    async deleteTaskRunLogs(request, context) {
      await orchestrator.deleteTaskRunLogs(ref(context, request, request.runId), request.id);
      return {};
    },
    repairOrphan: (r) => orchestrator.repairOrphan(r),
  };
}
