// One run being executed: its task DAG driven to completion on the Scheduler.
//
// Run:      PENDING ─start→ RUNNING (task runs created) ─all task runs COMPLETE→ COMPLETE (status: task-graph.ts)
//           PENDING ─a task depends on a task the pipeline does not have→ COMPLETE FAILED
// Task run: PROCESSING (created, no parents)  ┐
//           WAITING    (created, has parents) ┴─parents COMPLETE, requirement holds→ container starts → RUNNING
//           ─exit→ COMPLETE  SUCCESSFUL (exit 0) | FAILED (ABNORMAL_EXIT, exit code) | CANCELLED (cancel requested)
//           common task not installed or disabled, or a store reference unresolved → COMPLETE FAILED (FAILED_PRECONDITION)
//           start error → COMPLETE FAILED (SCHEDULER_ERROR);  requirement fails → COMPLETE SKIPPED (FAILED_PRECONDITION)
//           run cancelled before the task started → COMPLETE CANCELLED
//
// A run found RUNNING when execution begins was left by an earlier process (orphan repair): each task run is
// reconciled with what the scheduler knows (task-run-reconciler.ts) and the DAG continues from there.
// Starting a run is run-start.ts, a task's container spec task-launch.ts, its output and result task-output.ts.
//
// shutdown() (server stopping after its grace period) stops the containers but records nothing: the run stays
// RUNNING for orphan repair at the next start. A shutdown is not a user's cancel.
import type { Logger } from "winston";
import { errorMessage } from "../errors.js";
import type { Scheduler } from "../scheduler/scheduler.js";
import type { RunStatus, RunStatusReasonRecord, TaskRunStatus } from "../storage/schema.js";
import type { Run, TaskRun } from "./run.js";
import { describeRun, describeTaskRun } from "./run-lookup.js";
import type { RunRef } from "./run-orchestrator.js";
import { type RunStartDeps, startPendingRun } from "./run-start.js";
import type { RunStore, TaskRunResult, WithinCommit } from "./run-store.js";
import { type FinishedTaskRun, runOutcome, unmetRequirement } from "./task-graph.js";
import { planTaskLaunch, type TaskLaunchDeps } from "./task-launch.js";
import type { TaskLogs } from "./task-logs.js";
import { followTaskOutput, taskRunResult } from "./task-output.js";
import { reconcileTaskRun } from "./task-run-reconciler.js";
import { newTaskState, type TaskState, Wakeup } from "./task-state.js";

export interface RunExecutionDeps extends RunStartDeps, TaskLaunchDeps {
  readonly scheduler: Scheduler;
  readonly store: RunStore;
  readonly logs: TaskLogs;
  readonly logger: Logger;
  readonly stopTimeoutMs: number;
  /**
   * Called just before the run is recorded COMPLETE (log expiry), so it is done when COMPLETED_RUN is heard; what it
   * answers is written in the commit that completes the run.
   */
  readonly beforeComplete: (ref: RunRef) => Promise<WithinCommit | undefined>;
}

export class RunExecution {
  private readonly tasks = new Map<string, TaskState>();
  private cancelled: RunStatusReasonRecord | undefined;
  private forceCancel = false;
  private shuttingDown = false;
  /** Set once a task run's completion found it COMPLETE already: its status here may not be the stored one. */
  private statusesStale = false;
  /** The run's status once it is recorded COMPLETE with its last task run (completeTask). */
  private completedAs: RunStatus | undefined;
  private readonly changes = new Wakeup();
  /** Resolves once the task runs are loaded (or the execution ended without any). */
  private readonly loaded: Promise<void>;
  private markLoaded: () => void = () => {};

  constructor(
    readonly ref: RunRef,
    private readonly deps: RunExecutionDeps,
  ) {
    this.loaded = new Promise((resolve) => {
      this.markLoaded = resolve;
    });
  }

  /**
   * Drives the run to COMPLETE (or until shutdown). Never rejects: failures are recorded or logged. `created`: the run
   * as its creator stored it (PENDING), so it is not read; its start is guarded on PENDING all the same.
   */
  async execute(created?: Run): Promise<void> {
    try {
      const loaded = created ? { run: created, taskRuns: [] } : await this.deps.store.loadRun(this.ref);
      if (!loaded || loaded.run.state === "COMPLETE") return;
      const resumed = loaded.run.state === "RUNNING";
      // A run that starts now has the task runs it just stored; a resumed one has what an earlier process left.
      const taskRuns = resumed ? loaded.taskRuns : await startPendingRun(this.deps, loaded.run);
      if (!taskRuns) return;
      for (const taskRun of taskRuns) this.track(taskRun);
      this.markLoaded();
      if (resumed) await this.reattach();
      this.applyCancel();
      await this.drive();
      if (this.shuttingDown && !this.completedAs) {
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
        this.deps.logs.end(this.ref, task.taskRun.id);
        task.markCompleted();
      }
    }
  }

  /** The run as messages name it; made when a message needs it. */
  private get what(): string {
    return describeRun(this.ref);
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

  private track(taskRun: TaskRun): void {
    const task = newTaskState(taskRun);
    this.tasks.set(taskRun.id, task);
    if (task.phase !== "complete") this.deps.logs.expect(this.ref, taskRun.id);
  }

  /** Orphan repair: match each unfinished task run with what the scheduler knows of its container. */
  private async reattach(): Promise<void> {
    for (const task of this.tasks.values()) {
      if (task.phase === "complete") continue;
      const decision = await reconcileTaskRun(this.deps, this.ref, task.taskRun);
      if (decision.action === "complete") {
        await this.completeTask(task, decision.result);
      } else if (decision.action === "follow") {
        task.containerId = decision.containerId;
        task.phase = "running";
        task.monitor = this.follow(task).catch((error: unknown) => this.failTask(task, error));
      } else {
        task.phase = "waiting"; // never started: the DAG starts it
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
        const parents = Object.keys(task.taskRun.task.dependsOn);
        if (!parents.every((parent) => finished.has(parent))) continue;
        const unmet = unmetRequirement(task.taskRun.task.dependsOn, finished);
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
      const launch = await planTaskLaunch(this.deps, this.ref, task.taskRun);
      if ("failed" in launch) {
        await this.completeTask(task, launch.failed);
        return;
      }
      let containerId: string;
      try {
        containerId = (await this.deps.scheduler.start(launch.spec)).id;
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
      await this.deps.store.startTaskRun(this.ref, task.taskRun.id, containerId);
      task.phase = "running";
      // Checked first here and below: a line below the level still costs a pass through winston's stream.
      if (this.deps.logger.isDebugEnabled()) {
        this.deps.logger.debug("task run started", {
          taskRun: describeTaskRun(this.ref, task.taskRun.id),
          containerId,
        });
      }
      // A cancel or shutdown that came while the container was starting applies now.
      if (this.shuttingDown) this.stopForShutdown(task);
      else if (task.cancel) this.stopContainer(task, task.cancel.force);
      await this.follow(task);
    })().catch((error: unknown) => this.failTask(task, error));
  }

  /** Copies the container's output to the task run's log file and records how it ended. */
  private async follow(task: TaskState): Promise<void> {
    const taskId = task.taskRun.id;
    const ended = await followTaskOutput(this.deps, this.ref, taskId, task.containerId as string);
    if (task.stoppedForShutdown) {
      this.deps.logs.end(this.ref, taskId);
      return;
    }
    await this.completeTask(task, taskRunResult(ended, task.cancel !== undefined));
  }

  private async completeTask(task: TaskState, result: TaskRunResult): Promise<void> {
    if (this.isLastTask(task)) {
      // The last task run and the run end in one commit.
      const within = await this.deps.beforeComplete(this.ref);
      const outcome = (stored: TaskRun[] | undefined) =>
        runOutcome(
          stored ?? this.finishedTasks({ id: task.taskRun.id, status: result.status, statusReason: result.reason }),
          this.cancelled,
        );
      let decided: RunStatus | undefined;
      const recorded = (stored: TaskRun[] | undefined) => {
        const chosen = outcome(stored);
        decided = chosen.status;
        return chosen;
      };
      const changed = await this.deps.store.completeLastTaskRun(this.ref, task.taskRun.id, result, recorded, within);
      // Only once committed: after a failed commit the run is still to be completed (finish()).
      this.completedAs = decided;
      if (!changed) this.statusesStale = true;
    } else if (!(await this.deps.store.completeTaskRun(this.ref, task.taskRun.id, result))) {
      this.statusesStale = true;
    }
    task.phase = "complete";
    task.status = result.status;
    task.statusReason = result.reason;
    this.deps.logs.end(this.ref, task.taskRun.id);
    if (this.deps.logger.isDebugEnabled()) {
      this.deps.logger.debug("task run complete", {
        taskRun: describeTaskRun(this.ref, task.taskRun.id),
        status: result.status,
        exitCode: result.exitCode,
      });
    }
    task.markCompleted();
    this.changes.notify();
  }

  /** Something unexpected (a database error): record the task run as failed if we still can. */
  private async failTask(task: TaskState, error: unknown): Promise<void> {
    this.deps.logger.error("task run failed unexpectedly", {
      taskRun: describeTaskRun(this.ref, task.taskRun.id),
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
      this.deps.logs.end(this.ref, task.taskRun.id);
      task.markCompleted();
      this.changes.notify();
    }
  }

  /** Whether completing this task ends the run: every other task run is COMPLETE and the run goes on here. */
  private isLastTask(task: TaskState): boolean {
    if (this.shuttingDown || this.statusesStale || this.completedAs) return false;
    for (const other of this.tasks.values()) if (other !== task && other.phase !== "complete") return false;
    return true;
  }

  /** The task runs' statuses as this execution recorded them, in creation order; `last` as it is being recorded. */
  private finishedTasks(last?: FinishedTaskRun): FinishedTaskRun[] {
    return [...this.tasks.values()].map((task) =>
      task.taskRun.id === last?.id
        ? last
        : { id: task.taskRun.id, status: task.status, statusReason: task.statusReason },
    );
  }

  private async finish(): Promise<void> {
    if (this.completedAs) {
      if (this.deps.logger.isInfoEnabled()) {
        this.deps.logger.info("run complete", { run: this.what, status: this.completedAs });
      }
      return;
    }
    // Every task run of this run is tracked, and its status is the one recorded here unless a completion found it
    // already COMPLETE; a run without tasks has none.
    const taskRuns = this.statusesStale ? await this.deps.store.listTaskRuns(this.ref) : this.finishedTasks();
    const outcome = runOutcome(taskRuns, this.cancelled);
    const within = await this.deps.beforeComplete(this.ref);
    await this.deps.store.completeRun(this.ref, outcome.status, outcome.reason, within);
    if (this.deps.logger.isInfoEnabled())
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
        taskRun: describeTaskRun(this.ref, task.taskRun.id),
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
