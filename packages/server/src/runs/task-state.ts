// What a RunExecution (run-execution.ts) keeps of each of its task runs while it drives them, and how its driving loop
// is woken.
import type { TaskRunStatus } from "../storage/schema.js";
import type { TaskRun } from "./run.js";
import type { TaskRunResult } from "./run-store.js";

export type TaskPhase = "waiting" | "starting" | "running" | "complete";

export interface TaskState {
  readonly taskRun: TaskRun;
  phase: TaskPhase;
  status: TaskRunStatus;
  statusReason: TaskRunResult["reason"];
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
export class Wakeup {
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

/** A task run as execution starts to track it: as stored (RUNNING and COMPLETE ones are picked up where they are). */
export function newTaskState(taskRun: TaskRun): TaskState {
  let markCompleted = () => {};
  const completed = new Promise<void>((resolve) => {
    markCompleted = resolve;
  });
  const { state } = taskRun;
  const phase: TaskPhase = state === "COMPLETE" ? "complete" : state === "RUNNING" ? "running" : "waiting";
  if (phase === "complete") markCompleted();
  return {
    taskRun,
    phase,
    status: taskRun.status,
    statusReason: taskRun.statusReason,
    containerId: taskRun.schedulerId ?? undefined,
    cancel: undefined,
    stoppedForShutdown: false,
    monitor: undefined,
    completed,
    markCompleted,
  };
}
