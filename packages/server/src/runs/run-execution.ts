// One run being executed: its task DAG driven to completion on the Scheduler.
//
// Run:      PENDING ─begin→ RUNNING (task runs created) ─all task runs COMPLETE→ COMPLETE (status: task-graph.ts)
//           PENDING ─a task depends on a task the pipeline does not have→ COMPLETE FAILED
// Task run: PROCESSING (created, no parents)  ┐
//           WAITING    (created, has parents) ┴─parents COMPLETE, requirement holds→ container starts → RUNNING
//           ─exit→ COMPLETE  SUCCESSFUL (exit 0) | FAILED (ABNORMAL_EXIT, exit code) | CANCELLED (cancel requested)
//           common task not installed or disabled, or a store reference unresolved → COMPLETE FAILED (FAILED_PRECONDITION)
//           start error → COMPLETE FAILED (SCHEDULER_ERROR);  requirement fails → COMPLETE SKIPPED (FAILED_PRECONDITION)
//           run cancelled before the task started → COMPLETE CANCELLED
//
// A run found RUNNING when execution begins was left by an earlier process (orphan repair): each task run is
// reconciled with what the scheduler knows — a container that still runs is followed again, an exited one gives its
// exit code, an unknown one makes the task run FAILED (ORPHANED) — and the DAG continues from there.
//
// shutdown() (server stopping after its grace period) stops the containers but records nothing: the run stays
// RUNNING for orphan repair at the next start. A shutdown is not a user's cancel.
import type { Clock } from "@gofer/trigger-sdk";
import type { Kysely } from "kysely";
import type { Logger } from "winston";
import { errorMessage } from "../errors.js";
import type { ExitStatus, Scheduler } from "../scheduler/scheduler.js";
import { getCommonTaskRegistration } from "../storage/common-task-repository.js";
import { getPipelineWithTasks } from "../storage/pipeline-repository.js";
import { getRun } from "../storage/run-repository.js";
import type {
  RunRow,
  RunStatusReasonRecord,
  Schema,
  TaskRecord,
  TaskRunRow,
  TaskRunStatus,
} from "../storage/schema.js";
import { listTaskRuns } from "../storage/task-run-repository.js";
import { type CommonTaskLaunch, commonTaskLaunch, commonTaskRecord } from "./common-task-runs.js";
import { describeRun, describeTaskRun } from "./run-lookup.js";
import type { RunRef } from "./run-orchestrator.js";
import type { RunStore, TaskRunResult } from "./run-store.js";
import { taskContainerLabels, taskContainerSpec } from "./task-container.js";
import { missingParents, runOutcome, unmetRequirement } from "./task-graph.js";
import type { TaskLogs } from "./task-logs.js";
import { taskRunVariables } from "./task-run-variables.js";

export interface RunExecutionDeps {
  readonly db: Kysely<Schema>;
  readonly scheduler: Scheduler;
  readonly store: RunStore;
  readonly logs: TaskLogs;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly stopTimeoutMs: number;
  /**
   * The task's environment with secret and object references resolved (stores/interpolation.ts), just before its
   * container starts; throws naming the reference that could not be resolved. Absent: variables go as stored.
   */
  readonly resolveEnv?: (ref: RunRef, variables: TaskRunRow["variables"]) => Record<string, string>;
  /** Env every task of the run gets beneath its own variables (the run's API credentials, auth/run-tokens.ts). */
  readonly runEnv?: (ref: RunRef) => Promise<{ env: Record<string, string>; readOnlyFiles: string[] }>;
  /** Called just before the run is recorded COMPLETE (log expiry), so it is done when COMPLETED_RUN is heard. */
  readonly beforeComplete: (ref: RunRef) => Promise<void>;
}

type TaskPhase = "waiting" | "starting" | "running" | "complete";

interface TaskState {
  readonly row: TaskRunRow;
  phase: TaskPhase;
  status: TaskRunStatus;
  containerId: string | undefined;
  /** Set by a cancel of the run or of this task run; `force` once any cancel asked for it. */
  cancel: { force: boolean } | undefined;
  /** Stopped by the server's shutdown: its exit is not recorded. */
  stoppedForShutdown: boolean;
  monitor: Promise<void> | undefined;
  readonly completed: Promise<void>;
  markCompleted: () => void;
}

/** Wakes the driving loop; next() taken before looking never misses a change made while looking. */
class Wakeup {
  private waiters: Array<() => void> = [];

  next(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

export class RunExecution {
  private readonly tasks = new Map<string, TaskState>();
  private cancelled: RunStatusReasonRecord | undefined;
  private forceCancel = false;
  private shuttingDown = false;
  private readonly changes = new Wakeup();
  private readonly what: string;
  /** Resolves once the task runs are loaded (or the execution ended without any). */
  private readonly loaded: Promise<void>;
  private markLoaded: () => void = () => {};

  constructor(
    readonly ref: RunRef,
    private readonly deps: RunExecutionDeps,
  ) {
    this.what = describeRun(ref);
    this.loaded = new Promise((resolve) => {
      this.markLoaded = resolve;
    });
  }

  /** Drives the run to COMPLETE (or until shutdown). Never rejects: failures are recorded or logged. */
  async execute(): Promise<void> {
    try {
      const run = await getRun(this.deps.db, this.ref.namespaceId, this.ref.pipelineId, this.ref.runId);
      if (!run || run.state === "COMPLETE") return;
      const resumed = run.state === "RUNNING";
      // A run that starts now has the task runs it just stored; a resumed one reads what an earlier process left.
      const taskRuns = resumed
        ? await listTaskRuns(this.deps.db, this.ref.namespaceId, this.ref.pipelineId, this.ref.runId)
        : await this.begin(run);
      if (!taskRuns) return;
      for (const row of taskRuns) this.track(row);
      this.markLoaded();
      if (resumed) await this.reattach();
      this.applyCancel();
      await this.drive();
      if (this.shuttingDown) {
        this.deps.logger.info("run left for orphan repair: the server stopped", { run: this.what });
        return;
      }
      await this.finish();
    } catch (error) {
      await this.failAfterError(error);
    } finally {
      this.markLoaded();
      for (const task of this.tasks.values()) {
        // Nothing more is written by this process: log readers stop at the end of the file.
        this.deps.logs.end(this.ref, task.row.id);
        task.markCompleted();
      }
    }
  }

  /** Cancels the run: no task starts any more, running ones are stopped. */
  cancel(reason: RunStatusReasonRecord, force: boolean): void {
    this.cancelled ??= reason;
    this.forceCancel ||= force;
    this.applyCancel();
  }

  /** Cancels one task run; resolves once it is COMPLETE (or the execution ended). */
  async cancelTask(taskId: string, force: boolean): Promise<void> {
    await this.loaded;
    const task = this.tasks.get(taskId);
    if (!task) return;
    this.requestTaskCancel(task, force);
    this.changes.notify();
    await task.completed;
  }

  /** How long a task gets between SIGTERM and the kill when the server stops (shutdown()). */
  private shutdownStopMs: number | undefined;

  /**
   * Server shutdown after the grace period: stop the containers, record nothing. stopTimeoutMs (default
   * task_execution_stop_timeout) is how long each gets between SIGTERM and the kill: the server's shutdown budget.
   */
  shutdown(stopTimeoutMs?: number): void {
    this.shuttingDown = true;
    if (stopTimeoutMs !== undefined) this.shutdownStopMs = Math.min(stopTimeoutMs, this.deps.stopTimeoutMs);
    for (const task of this.tasks.values()) {
      if (task.phase === "running") this.stopForShutdown(task);
    }
    this.changes.notify();
  }

  /** PENDING → RUNNING with its task runs stored; @returns them, or undefined when the run did not start. */
  private async begin(run: RunRow): Promise<TaskRunRow[] | undefined> {
    const { store } = this.deps;
    const stored = await getPipelineWithTasks(this.deps.db, this.ref.namespaceId, this.ref.pipelineId);
    if (!stored) {
      await store.completeRun(this.ref, "FAILED", {
        reason: "FAILED_PRECONDITION",
        description: `pipeline ${JSON.stringify(this.ref.pipelineId)} no longer exists`,
      });
      return undefined;
    }
    const commonTasks = stored.commonTasks ?? [];
    const missing = missingParents([
      ...stored.tasks,
      ...commonTasks.map((task) => ({ id: task.label, depends_on: task.depends_on })),
    ]);
    if (missing.length > 0) {
      // Straight from PENDING: the run never starts, so there is no half-started state to repair.
      await store.completeRun(this.ref, "FAILED", {
        reason: "FAILED_PRECONDITION",
        description:
          missing.map((m) => `task ${JSON.stringify(m.task)} depends on ${JSON.stringify(m.parent)}`).join("; ") +
          ", which is not a task of the pipeline",
      });
      return undefined;
    }
    const created = this.deps.clock.now().getTime();
    const records: TaskRecord[] = stored.tasks.map((task) => ({
      id: task.id,
      description: task.description,
      image: task.image,
      registry_auth: task.registry_auth,
      depends_on: task.depends_on,
      variables: task.variables,
      entrypoint: task.entrypoint,
      command: task.command,
    }));
    for (const task of commonTasks) {
      const registration = await getCommonTaskRegistration(this.deps.db, task.name);
      records.push(commonTaskRecord(task, registration?.image ?? ""));
    }
    const taskRuns = records.map((record): TaskRunRow => {
      const task = record;
      return {
        namespace_id: run.namespace_id,
        pipeline_id: run.pipeline_id,
        run_id: run.id,
        id: task.id,
        task: record,
        created,
        started: null,
        ended: null,
        exit_code: null,
        state: Object.keys(task.depends_on).length > 0 ? "WAITING" : "PROCESSING",
        status: "UNKNOWN",
        status_reason: null,
        logs_expired: false,
        logs_removed: false,
        variables: taskRunVariables(run, record),
        scheduler_id: null,
      };
    });
    // Live before they become visible, so a log reader that sees CREATED_TASKRUN waits for the output.
    for (const taskRun of taskRuns) this.deps.logs.expect(this.ref, taskRun.id);
    if (!(await store.startRun(this.ref, taskRuns))) {
      for (const taskRun of taskRuns) this.deps.logs.end(this.ref, taskRun.id);
      return undefined;
    }
    this.deps.logger.info("run started", { run: this.what, tasks: taskRuns.length });
    return taskRuns;
  }

  private track(row: TaskRunRow): void {
    let markCompleted = () => {};
    const completed = new Promise<void>((resolve) => {
      markCompleted = resolve;
    });
    const phase: TaskPhase = row.state === "COMPLETE" ? "complete" : row.state === "RUNNING" ? "running" : "waiting";
    this.tasks.set(row.id, {
      row,
      phase,
      status: row.status,
      containerId: row.scheduler_id ?? undefined,
      cancel: undefined,
      stoppedForShutdown: false,
      monitor: undefined,
      completed,
      markCompleted,
    });
    if (phase === "complete") markCompleted();
    else this.deps.logs.expect(this.ref, row.id);
  }

  /** Orphan repair: match each unfinished task run with what the scheduler knows of its container. */
  private async reattach(): Promise<void> {
    const { scheduler, logger } = this.deps;
    for (const task of this.tasks.values()) {
      if (task.phase === "complete") continue;
      const where = describeTaskRun(this.ref, task.row.id);
      try {
        let containerId = task.phase === "running" ? task.containerId : undefined;
        if (!containerId) {
          // Started but not yet recorded when the server went down: its labels find it.
          const [found] = await scheduler.list(taskContainerLabels(this.ref, task.row.id));
          if (found) {
            containerId = found.id;
            await this.deps.store.startTaskRun(this.ref, task.row.id, found.id);
          }
        }
        if (!containerId) {
          if (task.phase === "running") {
            await this.completeTask(task, {
              status: "FAILED",
              reason: { reason: "ORPHANED", description: "Task run was RUNNING but has no container to check" },
              exitCode: null,
            });
          }
          continue; // never started: the DAG starts it
        }
        const state = await scheduler.inspect(containerId);
        if (state.state === "unknown") {
          logger.warn("orphaned task run: its container is unknown to the scheduler", { taskRun: where, containerId });
          await this.completeTask(task, {
            status: "FAILED",
            reason: {
              reason: "ORPHANED",
              description: `Task run was left RUNNING and the ${scheduler.engine} scheduler no longer knows its container "${containerId}"`,
            },
            exitCode: null,
          });
          continue;
        }
        logger.info("reattached to task run", { taskRun: where, containerId, state: state.state });
        task.containerId = containerId;
        task.phase = "running";
        task.monitor = this.follow(task).catch((error: unknown) => this.failTask(task, error));
      } catch (error) {
        await this.completeTask(task, {
          status: "FAILED",
          reason: {
            reason: "SCHEDULER_ERROR",
            description: `Could not reconcile the task run: ${errorMessage(error)}`,
          },
          exitCode: null,
        });
      }
    }
  }

  /** Starts what can start, skips what cannot, until every task run is COMPLETE (or shutdown). */
  private async drive(): Promise<void> {
    for (;;) {
      const change = this.changes.next();
      if (this.shuttingDown) break;
      let progressed = false;
      const finished = new Map<string, TaskRunStatus>();
      for (const [id, task] of this.tasks) if (task.phase === "complete") finished.set(id, task.status);

      for (const task of this.tasks.values()) {
        if (task.phase !== "waiting") continue;
        if (this.cancelled || task.cancel) {
          await this.completeTask(task, {
            status: "CANCELLED",
            reason: { reason: "CANCELLED", description: "Task run was cancelled before it started" },
            exitCode: null,
          });
          progressed = true;
          continue;
        }
        const parents = Object.keys(task.row.task.depends_on);
        if (!parents.every((parent) => finished.has(parent))) continue;
        const unmet = unmetRequirement(task.row.task.depends_on, finished);
        if (unmet) {
          await this.completeTask(task, {
            status: "SKIPPED",
            reason: { reason: "FAILED_PRECONDITION", description: unmet },
            exitCode: null,
          });
          progressed = true;
          continue;
        }
        this.launch(task);
      }
      if (progressed) continue;
      if ([...this.tasks.values()].every((task) => task.phase === "complete")) break;
      await change;
    }
    await Promise.allSettled([...this.tasks.values()].map((task) => task.monitor));
  }

  private launch(task: TaskState): void {
    task.phase = "starting";
    task.monitor = (async () => {
      // A common task is looked up as it starts: one installed or enabled since the run began is used.
      const common = task.row.task.common_task;
      let launch: CommonTaskLaunch | undefined;
      if (common) {
        launch = await commonTaskLaunch(this.deps.db, common.name);
        if (!launch.ok) {
          await this.completeTask(task, {
            status: "FAILED",
            reason: { reason: "FAILED_PRECONDITION", description: launch.description },
            exitCode: null,
          });
          return;
        }
      }
      const variables = launch?.ok ? [...task.row.variables, ...launch.config] : task.row.variables;
      let env: Record<string, string> | undefined;
      try {
        env = this.deps.resolveEnv
          ? this.deps.resolveEnv(this.ref, variables)
          : Object.fromEntries(variables.map((v) => [v.key, v.value]));
      } catch (error) {
        // As the original (spec §9.3): no container, FAILED with FAILED_PRECONDITION; the message names the
        // variable and the reference, never a value.
        await this.completeTask(task, {
          status: "FAILED",
          reason: {
            reason: "FAILED_PRECONDITION",
            description: `Task could not be run due to inability to retrieve interpolated variables; ${errorMessage(error)}`,
          },
          exitCode: null,
        });
        return;
      }
      const runEnv = this.deps.runEnv ? await this.deps.runEnv(this.ref) : undefined;
      if (runEnv) env = { ...runEnv.env, ...env };
      const withEnv = taskContainerSpec(this.ref, task.row, env);
      const base =
        runEnv && runEnv.readOnlyFiles.length > 0 ? { ...withEnv, readOnlyFiles: [...runEnv.readOnlyFiles] } : withEnv;
      const spec =
        launch?.ok === true
          ? {
              ...base,
              image: launch.image,
              ...(launch.registryAuth ? { registryAuth: launch.registryAuth } : {}),
            }
          : base;
      let containerId: string;
      try {
        containerId = (await this.deps.scheduler.start(spec)).id;
      } catch (error) {
        await this.completeTask(task, {
          status: "FAILED",
          reason: {
            reason: "SCHEDULER_ERROR",
            description: `Task could not be run due to inability to be scheduled; ${errorMessage(error)}`,
          },
          exitCode: null,
        });
        return;
      }
      task.containerId = containerId;
      await this.deps.store.startTaskRun(this.ref, task.row.id, containerId);
      task.phase = "running";
      this.deps.logger.debug("task run started", { taskRun: describeTaskRun(this.ref, task.row.id), containerId });
      // A cancel or shutdown that came while the container was starting applies now.
      if (this.shuttingDown) this.stopForShutdown(task);
      else if (task.cancel) this.stopContainer(task, task.cancel.force);
      await this.follow(task);
    })().catch((error: unknown) => this.failTask(task, error));
  }

  /** Copies the container's output to the task run's log file and records how it ended. */
  private async follow(task: TaskState): Promise<void> {
    const { scheduler, logs, logger } = this.deps;
    const containerId = task.containerId as string;
    const taskId = task.row.id;
    const writer = await logs.open(this.ref, taskId);
    const pump = (async () => {
      try {
        for await (const line of scheduler.logs(containerId)) await writer.write(line);
      } catch (error) {
        logger.warn("could not copy task run output", {
          taskRun: describeTaskRun(this.ref, taskId),
          error: errorMessage(error),
        });
      }
    })();
    let exit: ExitStatus | undefined;
    let waitError: unknown;
    try {
      exit = await scheduler.wait(containerId);
    } catch (error) {
      waitError = error;
    }
    await pump;
    await writer.close();
    if (task.stoppedForShutdown) {
      logs.end(this.ref, taskId);
      return;
    }
    await this.completeTask(task, this.resultOf(task, exit, waitError));
  }

  private resultOf(task: TaskState, exit: ExitStatus | undefined, waitError: unknown): TaskRunResult {
    if (!exit) {
      return {
        status: "FAILED",
        reason: {
          reason: "SCHEDULER_ERROR",
          description: `Could not wait for the container: ${errorMessage(waitError)}`,
        },
        exitCode: null,
      };
    }
    const code = exit.exitCode;
    if (task.cancel) {
      return {
        status: "CANCELLED",
        reason: {
          reason: "CANCELLED",
          description: `Task run was cancelled${code === null ? "" : ` (exit code ${code})`}`,
        },
        exitCode: code,
      };
    }
    if (code === 0) return { status: "SUCCESSFUL", reason: null, exitCode: 0 };
    const how = code === null ? "ended without an exit code" : `exited with abnormal exit code ${code}`;
    return {
      status: "FAILED",
      reason: { reason: "ABNORMAL_EXIT", description: `Task run ${how}${exit.reason ? ` (${exit.reason})` : ""}` },
      exitCode: code,
    };
  }

  private async completeTask(task: TaskState, result: TaskRunResult): Promise<void> {
    await this.deps.store.completeTaskRun(this.ref, task.row.id, result);
    task.phase = "complete";
    task.status = result.status;
    this.deps.logs.end(this.ref, task.row.id);
    this.deps.logger.debug("task run complete", {
      taskRun: describeTaskRun(this.ref, task.row.id),
      status: result.status,
      exitCode: result.exitCode,
    });
    task.markCompleted();
    this.changes.notify();
  }

  /** Something unexpected (a database error): record the task run as failed if we still can. */
  private async failTask(task: TaskState, error: unknown): Promise<void> {
    this.deps.logger.error("task run failed unexpectedly", {
      taskRun: describeTaskRun(this.ref, task.row.id),
      error: errorMessage(error),
    });
    try {
      await this.completeTask(task, {
        status: "FAILED",
        reason: { reason: "UNKNOWN", description: `Internal error: ${errorMessage(error)}` },
        exitCode: null,
      });
    } catch {
      task.phase = "complete";
      task.status = "FAILED";
      this.deps.logs.end(this.ref, task.row.id);
      task.markCompleted();
      this.changes.notify();
    }
  }

  private async finish(): Promise<void> {
    // Every task run of this run is tracked; a run without tasks has none to read back.
    const taskRuns =
      this.tasks.size === 0
        ? []
        : await listTaskRuns(this.deps.db, this.ref.namespaceId, this.ref.pipelineId, this.ref.runId);
    const outcome = runOutcome(taskRuns, this.cancelled);
    await this.deps.beforeComplete(this.ref);
    await this.deps.store.completeRun(this.ref, outcome.status, outcome.reason);
    this.deps.logger.info("run complete", { run: this.what, status: outcome.status });
  }

  private async failAfterError(error: unknown): Promise<void> {
    this.deps.logger.error("run failed unexpectedly", { run: this.what, error: errorMessage(error) });
    try {
      for (const task of this.tasks.values()) {
        if (task.phase === "running" && task.containerId) this.stopContainer(task, true);
      }
      await this.deps.store.completeRun(this.ref, "FAILED", {
        reason: "UNKNOWN",
        description: `Internal error: ${errorMessage(error)}`,
      });
    } catch (secondError) {
      this.deps.logger.error("could not record the failed run; orphan repair will at the next start", {
        run: this.what,
        error: errorMessage(secondError),
      });
    }
  }

  private applyCancel(): void {
    if (!this.cancelled) return;
    for (const task of this.tasks.values()) this.requestTaskCancel(task, this.forceCancel);
    this.changes.notify();
  }

  private requestTaskCancel(task: TaskState, force: boolean): void {
    if (task.phase === "complete") return;
    const escalated = force && task.cancel?.force !== true;
    const first = task.cancel === undefined;
    task.cancel = { force: force || task.cancel?.force === true };
    if (task.phase === "running" && (first || escalated)) this.stopContainer(task, task.cancel.force);
  }

  private stopContainer(task: TaskState, force: boolean, timeoutMs = this.deps.stopTimeoutMs): void {
    const containerId = task.containerId;
    if (!containerId) return;
    this.deps.scheduler.stop(containerId, force ? 0 : timeoutMs).catch((error: unknown) => {
      this.deps.logger.warn("could not stop task run", {
        taskRun: describeTaskRun(this.ref, task.row.id),
        error: errorMessage(error),
      });
    });
  }

  private stopForShutdown(task: TaskState): void {
    if (task.stoppedForShutdown) return;
    task.stoppedForShutdown = true;
    this.stopContainer(task, false, this.shutdownStopMs);
  }
}
