// A started task run's output and end: its container's output is copied line by line into the task run's log file
// while its exit is awaited, and the exit becomes the task run's result:
//   exit 0 → SUCCESSFUL;  other code or none → FAILED (ABNORMAL_EXIT, with why when the scheduler knows);
//   cancel requested → CANCELLED whatever the code;  the wait failed → FAILED (SCHEDULER_ERROR)
import type { Logger } from "winston";
import { errorMessage } from "../errors.js";
import type { ExitStatus, Scheduler } from "../scheduler/scheduler.js";
import { describeTaskRun } from "./run-lookup.js";
import type { RunRef } from "./run-orchestrator.js";
import type { TaskRunResult } from "./run-store.js";
import type { TaskLogs } from "./task-logs.js";

export interface TaskOutputDeps {
  readonly scheduler: Pick<Scheduler, "logs" | "wait">;
  readonly logs: Pick<TaskLogs, "open">;
  readonly logger: Logger;
}

/** How the container ended: its exit, or why it could not be awaited. */
export type TaskExit = { readonly exit: ExitStatus } | { readonly waitError: unknown };

/** Copies the container's output to the task run's log file until it exits; the file is closed on return. */
export async function followTaskOutput(
  deps: TaskOutputDeps,
  ref: RunRef,
  taskId: string,
  containerId: string,
): Promise<TaskExit> {
  const { scheduler, logger } = deps;
  const writer = deps.logs.open(ref, taskId);
  const pump = (async () => {
    try {
      for await (const line of scheduler.logs(containerId)) await writer.write(line);
    } catch (error) {
      logger.warn("could not copy task run output", {
        taskRun: describeTaskRun(ref, taskId),
        error: errorMessage(error),
      });
    }
  })();
  let ended: TaskExit;
  try {
    ended = { exit: await scheduler.wait(containerId) };
  } catch (error) {
    ended = { waitError: error };
  }
  await pump;
  await writer.close();
  return ended;
}

/** The task run's result from how its container ended; `cancelled` when a cancel of it (or its run) was asked. */
export function taskRunResult(ended: TaskExit, cancelled: boolean): TaskRunResult {
  if (!("exit" in ended)) {
    return {
      status: "FAILED",
      reason: {
        reason: "SCHEDULER_ERROR",
        description: `Could not wait for the container: ${errorMessage(ended.waitError)}`,
      },
      exitCode: null,
    };
  }
  const { exit } = ended;
  const code = exit.exitCode;
  if (cancelled) {
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
