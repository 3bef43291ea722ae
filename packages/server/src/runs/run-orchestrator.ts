// What turns a stored PENDING run into executed tasks. The event processor and the API hand runs over through this
// interface and know nothing more of execution.
import type { Run } from "./run.js";

export interface RunRef {
  namespaceId: string;
  pipelineId: string;
  runId: number;
}

/** What the orchestrator needs of a run's pipeline to queue it. */
export interface SubmittedPipeline {
  /** Runs of the pipeline executing at once; 0 = unlimited. */
  readonly parallelism: number;
}

export interface RunOrchestrator {
  /**
   * Takes a stored PENDING run; returns at once (execution is the orchestrator's business). `pipeline` is what the
   * caller read of the run's pipeline while creating it, so it is not read again; without it, it is read. Likewise
   * `created`: the run as the caller stored it (PENDING, no task runs yet).
   */
  submit(run: RunRef, pipeline?: SubmittedPipeline, created?: Run): void;
  /**
   * Takes no new runs (queued ones stay PENDING), lets running runs drain within graceMs, then stops what remains;
   * those runs stay RUNNING for orphan repair at the next start (a shutdown is not a user's cancel).
   */
  stop(graceMs: number, stopMs?: number): Promise<void>;
}

/** Why a run was cancelled; becomes the run's RunStatusReason (USER_CANCELLED by default). */
export interface CancelOptions {
  /** Skip the grace period: kill the tasks at once instead of SIGTERM, then kill after the stop timeout. */
  force?: boolean;
  reason?: "USER_CANCELLED" | "ADMIN_CANCELLED";
  /** Shown as the reason's description; default "Run was cancelled by a user" (or "…by an admin"). */
  description?: string;
}

export interface TaskRunLogLine {
  line: string;
  /** 1 for the first line of the task run's output. */
  lineNum: number;
}

/** What the API's run and task-run handlers call, beyond what the event processor needs. */
export interface RunControl extends RunOrchestrator {
  /** StartRun: stores a PENDING run (trigger manual/api, variables RUN_OPTIONS) with its RESOLVED event, submits it. */
  startRun(namespaceId: string, pipelineId: string, variables: Readonly<Record<string, string>>): Promise<Run>;
  /** RetryRun: a new run of the same pipeline with the same variables (sources kept). */
  retryRun(run: RunRef): Promise<Run>;
  /** CancelRun: resolves once the run is COMPLETE (CANCELLED unless it finished first). */
  cancelRun(run: RunRef, options?: CancelOptions): Promise<void>;
  /** CancelAllRuns: cancels every PENDING or RUNNING run of the pipeline; resolves with their ids once all ended. */
  cancelAllRuns(namespaceId: string, pipelineId: string, options?: CancelOptions): Promise<number[]>;
  /** CancelTaskRun: resolves once the task run is COMPLETE. */
  cancelTaskRun(run: RunRef, taskId: string, options?: Pick<CancelOptions, "force">): Promise<void>;
  /**
   * GetTaskRunLogs: checks the task run and its logs first (NotFoundError when missing, removed or expired), then
   * yields the stored lines, following the output while the task runs; ends when the task run is COMPLETE or the
   * signal aborts.
   */
  taskRunLogs(run: RunRef, taskId: string, signal?: AbortSignal): Promise<AsyncIterable<TaskRunLogLine>>;
  /** DeleteTaskRunLogs: FailedPreconditionError while the task run is not COMPLETE. */
  deleteTaskRunLogs(run: RunRef, taskId: string): Promise<void>;
  /** Reconciles every PENDING or RUNNING run left by an earlier process (call once at start, before new work). */
  repairOrphans(): Promise<void>;
  /** RepairOrphan: reconciles one run; a no-op for a run this process is executing or that is COMPLETE. */
  repairOrphan(run: RunRef): Promise<void>;
  /** Resolves with the run once it is COMPLETE (or at once when it already is). */
  waitForRun(run: RunRef, signal?: AbortSignal): Promise<Run>;
}
