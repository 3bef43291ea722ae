// The RunOrchestrator: runs wait in RunQueue for their pipeline's and the global parallelism slot, then a
// RunExecution drives their task DAG on the Scheduler. It also serves the API's cancel, retry and repair calls; logs
// are RunLogs' (run-logs.ts), waiting for a run run-waiter.ts, and runs are read and written through the RunStore.
//
// A submitted run is "queued" (waiting for slots) and then "running" (its RunExecution executes); it is forgotten
// once its execution returns. Cancelling a queued run completes it CANCELLED without starting it. stop(graceMs)
// takes no new runs, leaves queued runs PENDING, lets running ones go on for graceMs, then shuts their executions
// down (containers stopped, runs left RUNNING); repairOrphans() at the next start resubmits both kinds.
import type { Clock } from "@gofer/kernel";
import type { Kysely } from "kysely";
import type { Logger } from "winston";
import { errorMessage, FailedPreconditionError } from "../errors.js";
import type { EventLog } from "../events/event-log.js";
import type { Scheduler } from "../scheduler/scheduler.js";
import { getPipeline } from "../storage/pipeline-repository.js";
import type { RunStatusReasonRecord, Schema } from "../storage/schema.js";
import type { PipelineActivity } from "./overlap-policy.js";
import { type Run, toRun } from "./run.js";
import { createManualRun } from "./run-creation.js";
import { RunExecution, type RunExecutionDeps } from "./run-execution.js";
import { RunLogs } from "./run-logs.js";
import { describeRun, describeTaskRun, runKey } from "./run-lookup.js";
import type { CancelOptions, RunControl, RunRef, SubmittedPipeline, TaskRunLogLine } from "./run-orchestrator.js";
import { RunQueue } from "./run-queue.js";
import { RunStore, type WithinCommit } from "./run-store.js";
import { waitForRun } from "./run-waiter.js";
import { TaskLogs } from "./task-logs.js";

export interface RunOrchestratorConfig {
  /** run_parallelism_limit: runs executing at once across all pipelines; 0 = unlimited. */
  readonly runParallelismLimit: number;
  /** task_execution_stop_timeout: between SIGTERM and kill when a task is cancelled or the server stops. */
  readonly stopTimeoutMs: number;
  /** task_execution_logs_dir */
  readonly logsDir: string;
  /** task_execution_log_expiry: runs per pipeline whose task logs are kept; 0 = keep all. */
  readonly logExpiryRuns: number;
}

export interface QueuedRunOrchestratorOptions {
  readonly db: Kysely<Schema>;
  readonly scheduler: Scheduler;
  readonly eventLog: EventLog;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly config: RunOrchestratorConfig;
  /** Store and credential hooks (stores/, auth/run-tokens.ts): a task's environment, run completion. */
  readonly stores?: {
    readonly resolveEnv: NonNullable<RunExecutionDeps["resolveEnv"]>;
    /** As each run completes (run object expiry); never rejects. Its answer writes in the completion's commit. */
    readonly runCompleting: (ref: RunRef) => Promise<WithinCommit | undefined>;
    readonly runEnv?: NonNullable<RunExecutionDeps["runEnv"]>;
    /** The run's API token (auth/run-tokens.ts): stored in its start commit, deleted in its completion commit. */
    readonly runCredentials?: Record<"issue" | "revoke", (trx: Kysely<Schema>, ref: RunRef) => Promise<void>>;
  };
  /** Servers sharing the database (cluster/run-claims.ts): a run starts only where its claim is won. */
  readonly claims?: { take(ref: RunRef): Promise<boolean> };
}

interface Entry {
  readonly ref: RunRef;
  readonly key: string;
  phase: "queued" | "running";
  readonly queueAbort: AbortController;
  execution: RunExecution | undefined;
  /** A cancel that came while queued. */
  cancelled: { reason: RunStatusReasonRecord; force: boolean } | undefined;
  done: Promise<void>;
}

const CANCEL_DESCRIPTION = {
  USER_CANCELLED: "Run was cancelled by a user",
  ADMIN_CANCELLED: "Run was cancelled by an admin",
} as const;

export class QueuedRunOrchestrator implements RunControl {
  private readonly options: QueuedRunOrchestratorOptions;
  private readonly config: RunOrchestratorConfig;
  private readonly entries = new Map<string, Entry>();
  /** Per pipeline (JSON [namespace, pipeline]): runs queued and running, kept with the entries. */
  private readonly activityByPipeline = new Map<string, PipelineActivity>();
  private queuedTotal = 0;
  /** Queue depth at the last "keeps growing" warning; 0 when none is outstanding. */
  private backlogWarnedAt = 0;
  private readonly queue: RunQueue;
  /** The run engine's storage port; the runs API reads runs through it too. */
  readonly store: RunStore;
  private readonly logs: TaskLogs;
  private readonly runLogs: RunLogs;
  private stopping: Promise<void> | undefined;

  constructor(options: QueuedRunOrchestratorOptions) {
    this.options = options;
    this.config = Object.freeze({ ...options.config });
    this.queue = new RunQueue(this.config.runParallelismLimit);
    this.store = new RunStore(options.db, options.clock, options.eventLog);
    this.logs = new TaskLogs(this.config.logsDir);
    this.runLogs = new RunLogs(this.store, this.logs, this.config.logExpiryRuns, options.logger);
  }

  /** Runs executing now (holding a parallelism slot). */
  get runningCount(): number {
    return this.queue.running;
  }

  submit(ref: RunRef, pipeline?: SubmittedPipeline, created?: Run): void {
    if (this.stopping) {
      this.options.logger.info("run not started: the server is stopping; it starts at the next start", {
        run: describeRun(ref),
      });
      return;
    }
    const key = runKey(ref);
    if (this.entries.has(key)) return;
    const entry: Entry = {
      ref: { namespaceId: ref.namespaceId, pipelineId: ref.pipelineId, runId: ref.runId },
      key,
      phase: "queued",
      queueAbort: new AbortController(),
      execution: undefined,
      cancelled: undefined,
      done: Promise.resolve(),
    };
    this.entries.set(key, entry);
    this.count(entry.ref, "queued", 1);
    entry.done = this.schedule(entry, pipeline, created);
    this.watchBacklog();
  }

  /** Runs of a pipeline waiting for a slot and executing now (overlap policies, queue depth). */
  activity(namespaceId: string, pipelineId: string): PipelineActivity {
    const found = this.activityByPipeline.get(JSON.stringify([namespaceId, pipelineId]));
    return { queued: found?.queued ?? 0, running: found?.running ?? 0 };
  }

  /** Runs waiting for a slot, across all pipelines. */
  get queueDepth(): number {
    return this.queuedTotal;
  }

  private count(ref: RunRef, phase: "queued" | "running", delta: number): void {
    const key = JSON.stringify([ref.namespaceId, ref.pipelineId]);
    const found = this.activityByPipeline.get(key) ?? { queued: 0, running: 0 };
    found[phase] += delta;
    if (phase === "queued") this.queuedTotal += delta;
    if (found.queued <= 0 && found.running <= 0) this.activityByPipeline.delete(key);
    else this.activityByPipeline.set(key, found);
  }

  private setPhase(entry: Entry, phase: "running"): void {
    if (entry.phase === phase) return;
    this.count(entry.ref, entry.phase, -1);
    entry.phase = phase;
    this.count(entry.ref, phase, 1);
  }

  /** A warning each time the queue doubles past 100 runs waiting, and a note once it is back under half of that. */
  private watchBacklog(): void {
    const depth = this.queuedTotal;
    if (depth >= Math.max(100, this.backlogWarnedAt * 2)) {
      this.backlogWarnedAt = depth;
      const top = [...this.activityByPipeline.entries()]
        .sort((a, b) => b[1].queued - a[1].queued)
        .slice(0, 5)
        .map(([key, a]) => `${(JSON.parse(key) as string[]).join("/")}: ${a.queued}`);
      this.options.logger.warn("run queue keeps growing: runs wait for a slot", { queued: depth, mostQueued: top });
    } else if (this.backlogWarnedAt > 0 && depth < this.backlogWarnedAt / 4) {
      this.options.logger.info("run queue drained", { queued: depth });
      this.backlogWarnedAt = 0;
    }
  }

  /** stopMs: after the grace period, how long a task gets between SIGTERM and the kill (default its stop timeout). */
  stop(graceMs: number, stopMs?: number): Promise<void> {
    this.stopping ??= this.shutdown(graceMs, stopMs);
    return this.stopping;
  }

  async startRun(namespaceId: string, pipelineId: string, variables: Readonly<Record<string, string>>): Promise<Run> {
    return this.createAndSubmit(namespaceId, pipelineId, variables);
  }

  async retryRun(ref: RunRef): Promise<Run> {
    const run = await this.store.findRun(ref);
    return this.createAndSubmit(ref.namespaceId, ref.pipelineId, run.variables);
  }

  async cancelRun(ref: RunRef, options: CancelOptions = {}): Promise<void> {
    const reason: RunStatusReasonRecord = {
      reason: options.reason ?? "USER_CANCELLED",
      description: options.description ?? CANCEL_DESCRIPTION[options.reason ?? "USER_CANCELLED"],
    };
    const force = options.force === true;
    const run = await this.store.findRun(ref);
    if (run.state === "COMPLETE") {
      throw new FailedPreconditionError(`${describeRun(ref)} is already complete (${run.status})`);
    }
    let entry = this.entries.get(runKey(ref));
    if (!entry && run.state === "PENDING") {
      // Stored but never submitted here (e.g. left by a stop): nothing runs, so it just ends.
      await this.store.completeRun(ref, "CANCELLED", reason, await this.runLogs.expire(ref));
      return;
    }
    if (!entry) {
      // RUNNING but not executing here: an orphan. Reconcile it first so its containers are stopped.
      this.submit(ref);
      entry = this.entries.get(runKey(ref));
      if (!entry) throw new FailedPreconditionError(`${describeRun(ref)} cannot be cancelled: the server is stopping`);
    }
    if (entry.phase === "queued") {
      entry.cancelled ??= { reason, force };
      entry.queueAbort.abort(new Error(`${describeRun(ref)} was cancelled while waiting to run`));
    } else {
      entry.execution?.cancel(reason, force);
    }
    await entry.done;
  }

  async cancelAllRuns(namespaceId: string, pipelineId: string, options: CancelOptions = {}): Promise<number[]> {
    const runs = await this.store.listRunRefs({ states: ["PENDING", "RUNNING"], namespaceId, pipelineId });
    await Promise.all(
      runs.map((run) =>
        this.cancelRun(run, options).catch((error: unknown) => {
          // Finished while we were cancelling the others.
          if (!(error instanceof FailedPreconditionError)) throw error;
        }),
      ),
    );
    return runs.map((run) => run.runId);
  }

  async cancelTaskRun(ref: RunRef, taskId: string, options: Pick<CancelOptions, "force"> = {}): Promise<void> {
    const taskRun = await this.store.findTaskRun(ref, taskId);
    if (taskRun.state === "COMPLETE") {
      throw new FailedPreconditionError(`${describeTaskRun(ref, taskId)} is already complete (${taskRun.status})`);
    }
    if (!this.entries.has(runKey(ref))) this.submit(ref); // an orphan: reconcile it first
    const execution = this.entries.get(runKey(ref))?.execution;
    if (!execution) {
      throw new FailedPreconditionError(
        `${describeTaskRun(ref, taskId)} cannot be cancelled yet: its run is not executing (it waits for a parallelism slot after a restart); cancel the run instead`,
      );
    }
    await execution.cancelTask(taskId, options.force === true);
  }

  taskRunLogs(ref: RunRef, taskId: string, signal?: AbortSignal): Promise<AsyncIterable<TaskRunLogLine>> {
    return this.runLogs.read(ref, taskId, signal);
  }

  deleteTaskRunLogs(ref: RunRef, taskId: string): Promise<void> {
    return this.runLogs.remove(ref, taskId);
  }

  async repairOrphans(): Promise<void> {
    // Runs that were executing first: they may hold containers, and they held slots before the restart.
    const running = await this.store.listRunRefs({ states: ["RUNNING"] });
    const pending = await this.store.listRunRefs({ states: ["PENDING"] });
    for (const run of [...running, ...pending]) this.submit(run);
    if (running.length + pending.length > 0) {
      this.options.logger.info("repairing runs left by the previous server", {
        running: running.length,
        pending: pending.length,
      });
    }
  }

  async repairOrphan(ref: RunRef): Promise<void> {
    const run = await this.store.findRun(ref);
    if (run.state === "COMPLETE" || this.entries.has(runKey(ref))) return;
    if (this.stopping)
      throw new FailedPreconditionError(`${describeRun(ref)} cannot be repaired: the server is stopping`);
    this.submit(ref);
  }

  waitForRun(ref: RunRef, signal?: AbortSignal): Promise<Run> {
    return waitForRun(this.store, this.options.eventLog, ref, signal);
  }

  private async createAndSubmit(
    namespaceId: string,
    pipelineId: string,
    variables: Parameters<typeof createManualRun>[2]["variables"],
  ): Promise<Run> {
    if (this.stopping) throw new FailedPreconditionError("the server is stopping: no new runs are started");
    const { clock, eventLog } = this.options;
    // StartRun calls that arrive together share a commit; each is answered once its run is stored.
    const created = await this.store.inSharedCommit((trx) =>
      createManualRun(trx, clock, { namespaceId, pipelineId, variables }),
    );
    eventLog.publish(created.resolved);
    // As created (PENDING, no task runs yet), as the original answers StartRun; not read back, nor when it starts.
    const run = toRun(created.row, []);
    this.submit(created.run, { parallelism: created.parallelism }, run);
    return run;
  }

  private async schedule(entry: Entry, known: SubmittedPipeline | undefined, created: Run | undefined): Promise<void> {
    const { db, logger } = this.options;
    const { ref } = entry;
    try {
      const pipeline = known ?? (await getPipeline(db, ref.namespaceId, ref.pipelineId));
      await this.queue.run(
        JSON.stringify([ref.namespaceId, ref.pipelineId]),
        pipeline?.parallelism ?? 0,
        async () => {
          if (entry.queueAbort.signal.aborted) return;
          if (this.options.claims && !(await this.options.claims.take(ref))) return;
          this.setPhase(entry, "running");
          entry.execution = this.newExecution(ref);
          await entry.execution.execute(created);
        },
        entry.queueAbort.signal,
      );
    } catch (error) {
      if (!entry.queueAbort.signal.aborted)
        logger.error("could not execute run", { run: describeRun(ref), error: errorMessage(error) });
    }
    try {
      if (entry.cancelled && !entry.execution) await this.cancelQueued(entry);
    } catch (error) {
      logger.error("could not cancel run", { run: describeRun(ref), error: errorMessage(error) });
    } finally {
      if (this.entries.get(entry.key) === entry) {
        this.entries.delete(entry.key);
        this.count(entry.ref, entry.phase, -1);
      }
    }
  }

  /** A run cancelled before it got its slots: a PENDING one just ends; an orphan is reconciled, then cancelled. */
  private async cancelQueued(entry: Entry): Promise<void> {
    const cancelled = entry.cancelled as NonNullable<Entry["cancelled"]>;
    const run = (await this.store.loadRun(entry.ref))?.run;
    if (run?.state === "PENDING") {
      await this.store.completeRun(entry.ref, "CANCELLED", cancelled.reason, await this.runLogs.expire(entry.ref));
      return;
    }
    if (run?.state !== "RUNNING") return;
    this.setPhase(entry, "running");
    entry.execution = this.newExecution(entry.ref);
    entry.execution.cancel(cancelled.reason, cancelled.force);
    await entry.execution.execute();
  }

  private newExecution(ref: RunRef): RunExecution {
    const stores = this.options.stores;
    const credentials = stores?.runCredentials;
    return new RunExecution(ref, {
      db: this.options.db,
      scheduler: this.options.scheduler,
      store: this.store,
      logs: this.logs,
      logger: this.options.logger,
      stopTimeoutMs: this.config.stopTimeoutMs,
      ...(stores ? { resolveEnv: stores.resolveEnv } : {}),
      ...(stores?.runEnv ? { runEnv: stores.runEnv } : {}),
      ...(credentials ? { inStartCommit: (trx, started) => credentials.issue(trx, started) } : {}),
      beforeComplete: async (completing) => {
        const expired = await this.runLogs.expire(completing);
        const objectsExpired = await stores?.runCompleting(completing);
        return async (trx) => {
          await expired?.(trx);
          await credentials?.revoke(trx, completing);
          return (await objectsExpired?.(trx)) ?? undefined;
        };
      },
    });
  }

  private async shutdown(graceMs: number, stopMs?: number): Promise<void> {
    const { clock, logger } = this.options;
    const startedAt = clock.now().getTime();
    // Queued runs stay PENDING; the next start resubmits them.
    for (const entry of this.entries.values()) {
      if (entry.phase === "queued" && !entry.cancelled) entry.queueAbort.abort(new Error("the server is stopping"));
    }
    const drained = Promise.allSettled([...this.entries.values()].map((entry) => entry.done));
    const grace = new AbortController();
    const inTime = await Promise.race([
      drained.then(() => true),
      clock.sleep(graceMs, grace.signal).then(
        () => false,
        () => false,
      ),
    ]);
    grace.abort();
    if (!inTime) {
      const left = [...this.entries.values()];
      logger.info("stopping runs still executing after the grace period; they are repaired at the next start", {
        runs: left.map((entry) => describeRun(entry.ref)),
      });
      for (const entry of left) entry.execution?.shutdown(stopMs);
      await Promise.allSettled(left.map((entry) => entry.done));
    }
    logger.info("runs stopped", { ms: clock.now().getTime() - startedAt, drained: inTime });
  }
}
