// A task run whose end was never observed (orphaned after a crash, the engine failed) has no exit code: the wire's
// int64 says 0 there, which the CLI must not show as a clean exit.
import { TaskRun, TaskRun_TaskRunState, TaskRun_TaskRunStatus, TaskRunStatusReason_Reason } from "@gofer/proto";
import { describe, expect, test } from "vitest";
import { observedExitCode, taskRunJson } from "../src/views/task-run-view.js";

function taskRun(
  reason: TaskRunStatusReason_Reason | undefined,
  exitCode: bigint,
  status = TaskRun_TaskRunStatus.FAILED,
) {
  return TaskRun.fromPartial({
    id: "t",
    started: 1n,
    ended: 2n,
    exitCode,
    state: TaskRun_TaskRunState.COMPLETE,
    status,
    ...(reason === undefined ? {} : { statusReason: { reason, description: "why" } }),
  });
}

describe("exit code of a task run", () => {
  test("orphaned, scheduler error and internal error with the wire's 0 have none", () => {
    for (const reason of [
      TaskRunStatusReason_Reason.ORPHANED,
      TaskRunStatusReason_Reason.SCHEDULER_ERROR,
      TaskRunStatusReason_Reason.UNKNOWN,
    ]) {
      expect(observedExitCode(taskRun(reason, 0n))).toBeUndefined();
      expect(taskRunJson(taskRun(reason, 0n)).exit_code).toBeNull();
    }
  });

  test("a real exit keeps its code, 0 included", () => {
    expect(taskRunJson(taskRun(undefined, 0n, TaskRun_TaskRunStatus.SUCCESSFUL)).exit_code).toBe(0);
    expect(observedExitCode(taskRun(TaskRunStatusReason_Reason.ABNORMAL_EXIT, 143n))).toBe(143n);
    expect(observedExitCode(taskRun(TaskRunStatusReason_Reason.ORPHANED, 137n))).toBe(137n);
  });
});
