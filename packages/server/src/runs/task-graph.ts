// Pure decisions over a run's task DAG (edges from `depends_on`): when a task may start, when it is skipped, and what
// the finished run's status is.
//
// Requirement on a finished parent (as the original):
//   SUCCESS → the parent is SUCCESSFUL;  FAILURE → the parent FAILED;  ANY → SUCCESSFUL, FAILED or SKIPPED.
// A CANCELLED parent satisfies none of them, so nothing downstream of a cancelled task starts.
//
// Run status, decided once every task run is COMPLETE:
//   1. the run was cancelled (CancelRun/CancelAllRuns)              → CANCELLED, with the cancel's reason
//   2. any task run FAILED (exit ≠ 0, scheduler error, orphaned)     → FAILED; SKIPPED tasks never fail a run, so a
//      task that runs on a parent's FAILURE does not rescue the run (the original's rule)
//   3. any task run CANCELLED on its own (CancelTaskRun)             → CANCELLED, USER_CANCELLED
//   4. otherwise (SUCCESSFUL and SKIPPED task runs only, or none)    → SUCCESSFUL
import type {
  RequiredParentStatus,
  RunStatus,
  RunStatusReasonKind,
  RunStatusReasonRecord,
  TaskRunStatus,
  TaskRunStatusReasonRecord,
} from "../storage/schema.js";

const SATISFIES: Record<RequiredParentStatus, readonly TaskRunStatus[]> = {
  SUCCESS: ["SUCCESSFUL"],
  FAILURE: ["FAILED"],
  ANY: ["SUCCESSFUL", "FAILED", "SKIPPED"],
};

/** The reason a task is skipped, or undefined when every parent finished as required. */
export function unmetRequirement(
  dependsOn: Readonly<Record<string, RequiredParentStatus>>,
  parents: ReadonlyMap<string, TaskRunStatus>,
): string | undefined {
  const unmet: string[] = [];
  for (const [parent, required] of Object.entries(dependsOn)) {
    const status = parents.get(parent);
    if (status === undefined || !SATISFIES[required].includes(status)) {
      unmet.push(`parent ${JSON.stringify(parent)} ended ${status ?? "UNKNOWN"}, required ${required}`);
    }
  }
  return unmet.length === 0 ? undefined : `Task could not be run due to unmet dependencies; ${unmet.join("; ")}`;
}

/** Parents named in depends_on that are not tasks of the run (common tasks are not stored as tasks). */
export function missingParents(
  tasks: ReadonlyArray<{ readonly id: string; readonly depends_on: Readonly<Record<string, RequiredParentStatus>> }>,
): Array<{ task: string; parent: string }> {
  const ids = new Set(tasks.map((t) => t.id));
  return tasks.flatMap((task) =>
    Object.keys(task.depends_on)
      .filter((parent) => !ids.has(parent))
      .map((parent) => ({ task: task.id, parent })),
  );
}

export interface FinishedTaskRun {
  readonly id: string;
  readonly status: TaskRunStatus;
  readonly statusReason: TaskRunStatusReasonRecord | null;
}

export interface RunOutcome {
  readonly status: Exclude<RunStatus, "UNKNOWN">;
  readonly reason: RunStatusReasonRecord | null;
}

export function runOutcome(taskRuns: readonly FinishedTaskRun[], cancelled?: RunStatusReasonRecord): RunOutcome {
  if (cancelled) return { status: "CANCELLED", reason: cancelled };
  const failed = taskRuns.filter((t) => t.status === "FAILED" || t.status === "UNKNOWN");
  if (failed.length > 0) {
    const first = failed[0] as FinishedTaskRun;
    return {
      status: "FAILED",
      reason: {
        reason: runReasonFor(first.statusReason),
        description: `${failed.length === 1 ? "Task run" : "Task runs"} ${failed.map((t) => JSON.stringify(t.id)).join(", ")} failed${first.statusReason ? `: ${first.statusReason.description}` : ""}`,
      },
    };
  }
  const cancelledTasks = taskRuns.filter((t) => t.status === "CANCELLED");
  if (cancelledTasks.length > 0) {
    return {
      status: "CANCELLED",
      reason: {
        reason: "USER_CANCELLED",
        description: `Task run ${cancelledTasks.map((t) => JSON.stringify(t.id)).join(", ")} was cancelled`,
      },
    };
  }
  return { status: "SUCCESSFUL", reason: null };
}

/** A task run's failure reason as a run reason: the run enum has no CANCELLED or ORPHANED. */
function runReasonFor(reason: TaskRunStatusReasonRecord | null): RunStatusReasonKind {
  const kind = reason?.reason ?? "UNKNOWN";
  switch (kind) {
    case "SCHEDULER_ERROR":
    case "ORPHANED":
      return "SCHEDULER_ERROR";
    case "FAILED_PRECONDITION":
      return "FAILED_PRECONDITION";
    case "ABNORMAL_EXIT":
    case "CANCELLED":
    case "UNKNOWN":
      return "ABNORMAL_EXIT";
    default:
      return kind satisfies never;
  }
}
