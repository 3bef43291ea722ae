// Task run logs as the API serves them (GetTaskRunLogs, DeleteTaskRunLogs) and their expiry as runs complete
// (task_execution_log_expiry, log-expiry.ts). The files themselves are TaskLogs' (task-logs.ts).
import type { Logger } from "winston";
import { errorMessage, FailedPreconditionError, NotFoundError } from "../errors.js";
import { expireTaskRunLogs } from "./log-expiry.js";
import { describeTaskRun } from "./run-lookup.js";
import type { RunRef, TaskRunLogLine } from "./run-orchestrator.js";
import type { RunStore, WithinCommit } from "./run-store.js";
import type { TaskLogs } from "./task-logs.js";

export class RunLogs {
  constructor(
    private readonly store: RunStore,
    private readonly logs: TaskLogs,
    /** task_execution_log_expiry: runs per pipeline whose task logs are kept; 0 = keep all. */
    private readonly logExpiryRuns: number,
    private readonly logger: Logger,
  ) {}

  /** Checks the task run and its logs first (NotFoundError when missing, removed or expired), then follows them. */
  async read(ref: RunRef, taskId: string, signal?: AbortSignal): Promise<AsyncIterable<TaskRunLogLine>> {
    const taskRun = await this.store.findTaskRun(ref, taskId);
    const what = describeTaskRun(ref, taskId);
    if (taskRun.logsExpired) {
      throw new NotFoundError(
        `logs of ${what} have expired: only the newest ${this.logExpiryRuns} runs of a pipeline keep their logs (task_execution_log_expiry)`,
      );
    }
    if (taskRun.logsRemoved) throw new NotFoundError(`logs of ${what} were removed (DeleteTaskRunLogs)`);
    if (!this.logs.isLive(ref, taskId) && !(await this.logs.exists(ref, taskId))) {
      if (taskRun.state === "COMPLETE" && taskRun.started === null) {
        throw new NotFoundError(`${what} has no logs: it never started (${taskRun.status})`);
      }
      throw new NotFoundError(`${what} has no logs: no file at ${this.logs.path(ref, taskId)}`);
    }
    return this.logs.read(ref, taskId, signal);
  }

  /** FailedPreconditionError while the task run is not COMPLETE. */
  async remove(ref: RunRef, taskId: string): Promise<void> {
    const taskRun = await this.store.findTaskRun(ref, taskId);
    if (taskRun.state !== "COMPLETE") {
      throw new FailedPreconditionError(
        `cannot delete the logs of ${describeTaskRun(ref, taskId)} while it is ${taskRun.state}`,
      );
    }
    await this.logs.remove(ref, taskId);
    await this.store.markLogsRemoved(ref, taskId);
  }

  /**
   * Expires the pipeline's old logs as one of its runs completes: removes their files and answers the writes that
   * mark them expired, for the commit that completes the run. Never rejects: it must not keep a run from ending.
   */
  async expire(ref: RunRef): Promise<WithinCommit | undefined> {
    try {
      const expired = await expireTaskRunLogs(
        this.store,
        this.logs,
        ref.namespaceId,
        ref.pipelineId,
        this.logExpiryRuns,
      );
      if (expired.length === 0) return undefined;
      this.logger.debug("task run logs expired", {
        namespace: ref.namespaceId,
        pipeline: ref.pipelineId,
        runs: expired,
      });
      return async (trx) => {
        for (const runId of expired) await this.store.markLogsExpired({ ...ref, runId }, trx);
      };
    } catch (error) {
      this.logger.warn("could not expire task run logs", { pipeline: ref.pipelineId, error: errorMessage(error) });
      return undefined;
    }
  }
}
