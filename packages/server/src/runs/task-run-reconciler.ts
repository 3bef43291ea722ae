// Orphan repair of one task run: a run found RUNNING when execution begins was left by an earlier process, and each
// of its unfinished task runs is matched with what the scheduler knows of its container:
//   no container recorded, none found by its labels:  never started → "start" (the DAG starts it);
//                                                       recorded RUNNING → FAILED (ORPHANED), nothing to check
//   found by its labels (started, not yet recorded):   recorded RUNNING with that id (STARTED_TASKRUN), then as below
//   container unknown to the scheduler:                FAILED (ORPHANED)
//   container running or exited:                       "follow" (its output is copied again, its exit recorded)
//   the scheduler could not be asked:                  FAILED (SCHEDULER_ERROR)
import type { Logger } from "winston";
import { errorMessage } from "../errors.js";
import type { Scheduler } from "../scheduler/scheduler.js";
import type { TaskRun } from "./run.js";
import { describeTaskRun } from "./run-lookup.js";
import type { RunRef } from "./run-orchestrator.js";
import type { RunStore, TaskRunResult } from "./run-store.js";
import { taskContainerLabels } from "./task-container.js";

export type Reconciliation =
  | { readonly action: "start" }
  | { readonly action: "follow"; readonly containerId: string }
  | { readonly action: "complete"; readonly result: TaskRunResult };

export interface TaskRunReconcilerDeps {
  readonly scheduler: Pick<Scheduler, "engine" | "list" | "inspect">;
  readonly store: Pick<RunStore, "startTaskRun">;
  readonly logger: Logger;
}

/** What to do with a task run (not COMPLETE) that an earlier process left. Never rejects. */
export async function reconcileTaskRun(
  deps: TaskRunReconcilerDeps,
  ref: RunRef,
  taskRun: TaskRun,
): Promise<Reconciliation> {
  const { scheduler, logger } = deps;
  const recordedRunning = taskRun.state === "RUNNING";
  try {
    let containerId = recordedRunning ? (taskRun.schedulerId ?? undefined) : undefined;
    if (!containerId) {
      // Started but not yet recorded when the server went down: its labels find it.
      const [found] = await scheduler.list(taskContainerLabels(ref, taskRun.id));
      if (found) {
        containerId = found.id;
        await deps.store.startTaskRun(ref, taskRun.id, found.id);
      }
    }
    if (!containerId) {
      if (!recordedRunning) return { action: "start" };
      return orphaned("Task run was RUNNING but has no container to check");
    }
    const state = await scheduler.inspect(containerId);
    const where = describeTaskRun(ref, taskRun.id);
    if (state.state === "unknown") {
      logger.warn("orphaned task run: its container is unknown to the scheduler", { taskRun: where, containerId });
      return orphaned(
        `Task run was left RUNNING and the ${scheduler.engine} scheduler no longer knows its container "${containerId}"`,
      );
    }
    logger.info("reattached to task run", { taskRun: where, containerId, state: state.state });
    return { action: "follow", containerId };
  } catch (error) {
    return {
      action: "complete",
      result: {
        status: "FAILED",
        reason: { reason: "SCHEDULER_ERROR", description: `Could not reconcile the task run: ${errorMessage(error)}` },
        exitCode: null,
      },
    };
  }
}

function orphaned(description: string): Reconciliation {
  return {
    action: "complete",
    result: { status: "FAILED", reason: { reason: "ORPHANED", description }, exitCode: null },
  };
}
