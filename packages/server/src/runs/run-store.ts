// The run engine's storage port: every read and write of runs and task runs by runs/ and the runs API goes through
// here, in domain types (run.ts); rows (storage/) become domain objects only through toRun/toTaskRun.
//
// Every state change of a run or task run is written with its event in one transaction, then the event is
// published (spec §1.6 kinds). Completing is guarded: a task run or run that is already COMPLETE stays as it is, so a
// late exit (after a cancel or a repair finished it) cannot rewrite history or publish a second COMPLETED event.
import type { Clock } from "@gofer/kernel";
import type { Kysely } from "kysely";
import { NotFoundError } from "../errors.js";
import type { StoredEvent } from "../events/event-kinds.js";
import type { EventLog } from "../events/event-log.js";
import { storeEvent } from "../events/event-writer.js";
import {
  getRun,
  type ListRunsOptions,
  listRuns,
  listRunsByState,
  markRunComplete,
  markRunStarted,
  type RunsByStateFilter,
} from "../storage/run-repository.js";
import type {
  RunStatus,
  RunStatusReasonRecord,
  Schema,
  TaskRecord,
  TaskRunRow,
  TaskRunStatus,
  TaskRunStatusReasonRecord,
} from "../storage/schema.js";
import {
  getTaskRun,
  insertTaskRuns,
  listExpirableTaskRuns,
  listTaskRunIds,
  listTaskRuns,
  markTaskRunComplete,
  markTaskRunLogsExpired,
  markTaskRunStarted,
  updateTaskRun,
} from "../storage/task-run-repository.js";
import { CommitQueue } from "./commit-queue.js";
import { type Run, type TaskRun, toRun, toTaskRun } from "./run.js";
import { completedRunDetails, completedTaskRunDetails, runDetails, taskRunDetails } from "./run-events.js";
import { describeRun, describeTaskRun, runRef } from "./run-lookup.js";
import type { RunRef } from "./run-orchestrator.js";
import type { RunOutcome } from "./task-graph.js";
import { taskRunVariables } from "./task-run-variables.js";

/**
 * Further writes a caller makes in a state change's commit (the run's token, expired logs, expired run objects); the
 * events it answers are stored already and are published once the commit is done.
 */
export type WithinCommit = (trx: Kysely<Schema>) => Promise<void> | Promise<StoredEvent[] | undefined>;

export interface TaskRunResult {
  status: Exclude<TaskRunStatus, "UNKNOWN">;
  reason: TaskRunStatusReasonRecord | null;
  exitCode: number | null;
}

export class RunStore {
  private readonly commits: CommitQueue;

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly clock: Clock,
    private readonly eventLog: EventLog,
  ) {
    this.commits = new CommitQueue(db);
  }

  /** The run with its task runs (creation order), or undefined when there is no such run. */
  async loadRun(ref: RunRef): Promise<{ run: Run; taskRuns: TaskRun[] } | undefined> {
    const row = await getRun(this.db, ref.namespaceId, ref.pipelineId, ref.runId);
    if (!row) return undefined;
    // Task runs are created in the same transaction that takes a run out of PENDING: a PENDING run has none.
    const taskRuns =
      row.state === "PENDING"
        ? []
        : (await listTaskRuns(this.db, ref.namespaceId, ref.pipelineId, ref.runId)).map(toTaskRun);
    return {
      run: toRun(
        row,
        taskRuns.map((t) => t.id),
      ),
      taskRuns,
    };
  }

  /** @throws NotFoundError */
  async findRun(ref: RunRef): Promise<Run> {
    const loaded = await this.loadRun(ref);
    if (!loaded) throw new NotFoundError(`${describeRun(ref)} not found`);
    return loaded.run;
  }

  /** @throws NotFoundError naming the run when it is the run that is missing. */
  async findTaskRun(ref: RunRef, taskId: string): Promise<TaskRun> {
    const row = await getTaskRun(this.db, ref.namespaceId, ref.pipelineId, ref.runId, taskId);
    if (!row) {
      if (!(await getRun(this.db, ref.namespaceId, ref.pipelineId, ref.runId))) {
        throw new NotFoundError(`${describeRun(ref)} not found`);
      }
      throw new NotFoundError(`${describeTaskRun(ref, taskId)} not found`);
    }
    return toTaskRun(row);
  }

  /** ListRuns: newest first, each with its task run ids. */
  async listRuns(options: ListRunsOptions): Promise<Run[]> {
    const rows = await listRuns(this.db, options);
    const [newest, oldest] = [rows[0], rows.at(-1)];
    if (!newest || !oldest) return [];
    const taskRunIds = await listTaskRunIds(this.db, options.namespaceId, options.pipelineId, oldest.id, newest.id);
    return rows.map((row) => toRun(row, taskRunIds.get(row.id) ?? []));
  }

  /** The run's task runs in creation order (none for a missing run). */
  async listTaskRuns(ref: RunRef): Promise<TaskRun[]> {
    return (await listTaskRuns(this.db, ref.namespaceId, ref.pipelineId, ref.runId)).map(toTaskRun);
  }

  /** ListTaskRuns: in creation order. @throws NotFoundError when there is no such run. */
  async findTaskRuns(ref: RunRef): Promise<TaskRun[]> {
    const taskRuns = await this.listTaskRuns(ref);
    if (taskRuns.length === 0 && !(await getRun(this.db, ref.namespaceId, ref.pipelineId, ref.runId))) {
      throw new NotFoundError(`${describeRun(ref)} not found`);
    }
    return taskRuns;
  }

  /** Runs in any of the filter's states, oldest first. */
  async listRunRefs(filter: RunsByStateFilter): Promise<RunRef[]> {
    return (await listRunsByState(this.db, filter)).map(runRef);
  }

  /**
   * Task runs (by run) whose logs have not expired, of complete runs in a window of `limit` runs past the pipeline's
   * newest `offset` runs; oldest run first.
   */
  async listExpirableTaskRuns(
    namespaceId: string,
    pipelineId: string,
    window: { offset: number; limit: number },
  ): Promise<Map<number, string[]>> {
    const byRun = new Map<number, string[]>();
    for (const taskRun of await listExpirableTaskRuns(this.db, namespaceId, pipelineId, window)) {
      byRun.set(taskRun.run_id, [...(byRun.get(taskRun.run_id) ?? []), taskRun.id]);
    }
    return byRun;
  }

  /** `trx`: in the caller's commit (the one that completes a later run). */
  async markLogsExpired(ref: RunRef, trx: Kysely<Schema> = this.db): Promise<void> {
    await markTaskRunLogsExpired(trx, ref.namespaceId, ref.pipelineId, ref.runId);
  }

  async markLogsRemoved(ref: RunRef, taskId: string): Promise<void> {
    await updateTaskRun(this.db, ref.namespaceId, ref.pipelineId, ref.runId, taskId, { logs_removed: true });
  }

  /**
   * PENDING → RUNNING with a task run created for each task: STARTED_RUN, then CREATED_TASKRUN for each. `run` is the
   * run as the caller read it (its variables go into the task runs'); the write is guarded on PENDING, so it is not
   * read again. `plan` reads the tasks in the same transaction (one commit for the read and the start); when it
   * answers undefined nothing is written. @returns the task runs, or undefined when nothing started.
   */
  async startRun(
    run: Run,
    plan: (trx: Kysely<Schema>) => Promise<readonly TaskRecord[] | undefined>,
    within?: WithinCommit,
  ): Promise<TaskRun[] | undefined> {
    const ref: RunRef = { namespaceId: run.namespaceId, pipelineId: run.pipelineId, runId: run.id };
    let created: TaskRunRow[] | undefined;
    await this.commit(async (trx) => {
      const tasks = await plan(trx);
      if (!tasks) return [];
      if (!(await markRunStarted(trx, ref.namespaceId, ref.pipelineId, ref.runId))) return [];
      const now = this.clock.now().getTime();
      const taskRuns = tasks.map((task) => newTaskRunRow(run, task, now));
      await insertTaskRuns(trx, taskRuns);
      const events = (await within?.(trx)) ?? [];
      events.push(await storeEvent(trx, this.clock, "STARTED_RUN", runDetails(ref)));
      for (const taskRun of taskRuns) {
        events.push(await storeEvent(trx, this.clock, "CREATED_TASKRUN", taskRunDetails(ref, taskRun.id)));
      }
      created = taskRuns;
      return events;
    });
    return created?.map(toTaskRun);
  }

  /** The container started: RUNNING with its scheduler id, STARTED_TASKRUN (nothing when it is COMPLETE already). */
  async startTaskRun(ref: RunRef, taskId: string, schedulerId: string): Promise<void> {
    await this.commit(async (trx) => {
      const started = this.clock.now().getTime();
      if (!(await markTaskRunStarted(trx, taskRunKey(ref, taskId), started, schedulerId))) return [];
      return [await storeEvent(trx, this.clock, "STARTED_TASKRUN", taskRunDetails(ref, taskId))];
    });
  }

  /** COMPLETE with a status, COMPLETED_TASKRUN. @returns false when it was COMPLETE already (nothing changed). */
  async completeTaskRun(ref: RunRef, taskId: string, result: TaskRunResult): Promise<boolean> {
    return this.commit(async (trx) => {
      if (!(await this.markTaskRunComplete(trx, ref, taskId, result))) return [];
      return [
        await storeEvent(trx, this.clock, "COMPLETED_TASKRUN", completedTaskRunDetails(ref, taskId, result.status)),
      ];
    });
  }

  /**
   * COMPLETE with a status, COMPLETED_RUN; `within` writes in the same commit (and only when the run changed).
   * @returns false when it was COMPLETE already.
   */
  async completeRun(
    ref: RunRef,
    status: Exclude<RunStatus, "UNKNOWN">,
    reason: RunStatusReasonRecord | null,
    within?: WithinCommit,
  ) {
    return this.commit((trx) => this.markRunComplete(trx, ref, { status, reason }, within));
  }

  /**
   * The run's last task run and then the run itself COMPLETE in one commit: COMPLETED_TASKRUN, COMPLETED_RUN, and
   * whatever `within` writes. `outcome` decides the run's status from the caller's view of its task runs; when the
   * task run was COMPLETE already (someone else ended it, so that view is not what is stored), it is handed the
   * stored task runs instead. @returns whether the task run changed.
   */
  async completeLastTaskRun(
    ref: RunRef,
    taskId: string,
    result: TaskRunResult,
    outcome: (stored: TaskRun[] | undefined) => RunOutcome,
    within?: WithinCommit,
  ): Promise<boolean> {
    let taskChanged = false;
    await this.commit(async (trx) => {
      const events: StoredEvent[] = [];
      taskChanged = await this.markTaskRunComplete(trx, ref, taskId, result);
      if (taskChanged) {
        events.push(
          await storeEvent(trx, this.clock, "COMPLETED_TASKRUN", completedTaskRunDetails(ref, taskId, result.status)),
        );
      }
      const stored = taskChanged
        ? undefined
        : (await listTaskRuns(trx, ref.namespaceId, ref.pipelineId, ref.runId)).map(toTaskRun);
      events.push(...(await this.markRunComplete(trx, ref, outcome(stored), within)));
      return events;
    });
    return taskChanged;
  }

  private async markRunComplete(
    trx: Kysely<Schema>,
    ref: RunRef,
    outcome: RunOutcome,
    within: WithinCommit | undefined,
  ): Promise<StoredEvent[]> {
    const changed = await markRunComplete(trx, ref.namespaceId, ref.pipelineId, ref.runId, {
      status: outcome.status,
      status_reason: outcome.reason,
      ended: this.clock.now().getTime(),
    });
    if (!changed) return [];
    const events = (await within?.(trx)) ?? [];
    events.push(await storeEvent(trx, this.clock, "COMPLETED_RUN", completedRunDetails(ref, outcome.status)));
    return events;
  }

  private markTaskRunComplete(trx: Kysely<Schema>, ref: RunRef, taskId: string, result: TaskRunResult) {
    return markTaskRunComplete(trx, taskRunKey(ref, taskId), {
      status: result.status,
      status_reason: result.reason,
      exit_code: result.exitCode,
      ended: this.clock.now().getTime(),
    });
  }

  /**
   * Runs `write` in a commit shared with other runs' changes (commit-queue.ts), e.g. the creation of a run; it must be
   * safe to run again after a rollback. Resolves once committed.
   */
  inSharedCommit<T>(write: (trx: Kysely<Schema>) => Promise<T>): Promise<T> {
    return this.commits.commit(write);
  }

  /** @returns whether anything was written (some event stored). Commits are shared with other runs' (commit-queue.ts). */
  private async commit(write: (trx: Kysely<Schema>) => Promise<StoredEvent[]>): Promise<boolean> {
    const events = await this.commits.commit(write);
    for (const event of events) this.eventLog.publish(event);
    return events.length > 0;
  }
}

/** A task run as created when its run starts: WAITING for its parents, or PROCESSING when it has none. */
function newTaskRunRow(run: Run, task: TaskRecord, created: number): TaskRunRow {
  return {
    namespace_id: run.namespaceId,
    pipeline_id: run.pipelineId,
    run_id: run.id,
    id: task.id,
    task,
    created,
    started: null,
    ended: null,
    exit_code: null,
    state: Object.keys(task.depends_on).length > 0 ? "WAITING" : "PROCESSING",
    status: "UNKNOWN",
    status_reason: null,
    logs_expired: false,
    logs_removed: false,
    variables: taskRunVariables(run, task),
    scheduler_id: null,
  };
}

function taskRunKey(ref: RunRef, id: string) {
  return { namespaceId: ref.namespaceId, pipelineId: ref.pipelineId, runId: ref.runId, id };
}
