// A task run's output and result: how a container's end maps to the task run's status (pinned messages), and the
// output copied into the task run's log file even when the output stream breaks off or the wait fails.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import winston from "winston";
import type { RunRef } from "../src/runs/run-orchestrator.js";
import { TaskLogs } from "../src/runs/task-logs.js";
import { followTaskOutput, type TaskOutputDeps, taskRunResult } from "../src/runs/task-output.js";
import type { ExitStatus } from "../src/scheduler/scheduler.js";
import { collect } from "./runs-harness.js";

const ref: RunRef = { namespaceId: "default", pipelineId: "build", runId: 1 };

describe("a container's end as the task run's result", () => {
  test("exit 0 is SUCCESSFUL", () => {
    expect(taskRunResult({ exit: { exitCode: 0 } }, false)).toEqual({
      status: "SUCCESSFUL",
      reason: null,
      exitCode: 0,
    });
  });

  test("another exit code is FAILED (ABNORMAL_EXIT) with the code and why the engine ended it", () => {
    expect(taskRunResult({ exit: { exitCode: 137, reason: "killed: out of memory" } }, false)).toEqual({
      status: "FAILED",
      reason: {
        reason: "ABNORMAL_EXIT",
        description: "Task run exited with abnormal exit code 137 (killed: out of memory)",
      },
      exitCode: 137,
    });
  });

  test("an end without an exit code is FAILED (ABNORMAL_EXIT) and says so", () => {
    expect(taskRunResult({ exit: { exitCode: null } }, false)).toEqual({
      status: "FAILED",
      reason: { reason: "ABNORMAL_EXIT", description: "Task run ended without an exit code" },
      exitCode: null,
    });
  });

  test("a cancelled task run is CANCELLED whatever its exit code, which is kept", () => {
    expect(taskRunResult({ exit: { exitCode: 143, reason: "stopped" } }, true)).toEqual({
      status: "CANCELLED",
      reason: { reason: "CANCELLED", description: "Task run was cancelled (exit code 143)" },
      exitCode: 143,
    });
    expect(taskRunResult({ exit: { exitCode: null } }, true)).toMatchObject({
      status: "CANCELLED",
      reason: { description: "Task run was cancelled" },
    });
  });

  test("a failed wait is FAILED (SCHEDULER_ERROR) with the scheduler's message, cancelled or not", () => {
    const expected = {
      status: "FAILED",
      reason: { reason: "SCHEDULER_ERROR", description: "Could not wait for the container: daemon went away" },
      exitCode: null,
    };
    expect(taskRunResult({ waitError: new Error("daemon went away") }, false)).toEqual(expected);
    expect(taskRunResult({ waitError: new Error("daemon went away") }, true)).toEqual(expected);
  });
});

describe("following a task run's output", () => {
  let dir: string;
  let logs: TaskLogs;
  const warnings: string[] = [];
  const logger = winston.createLogger({
    transports: [new winston.transports.Console({ silent: true })],
  });
  logger.on("data", (entry: { level: string; message: string }) => {
    if (entry.level === "warn") warnings.push(entry.message);
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "gofer-task-output-"));
    logs = new TaskLogs(dir);
    warnings.length = 0;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function deps(lines: string[], outcome: { exit: ExitStatus } | { fail: Error }, breakAfter?: number): TaskOutputDeps {
    return {
      scheduler: {
        async *logs() {
          for (const [index, line] of lines.entries()) {
            if (index === breakAfter) throw new Error("stream broke off");
            yield line;
          }
        },
        async wait() {
          if ("fail" in outcome) throw outcome.fail;
          return outcome.exit;
        },
      },
      logs,
      logger,
    };
  }

  async function stored(): Promise<string[]> {
    logs.end(ref, "say");
    return (await collect(logs.read(ref, "say"))).map((l) => l.line);
  }

  test("every line reaches the log file and the exit is returned", async () => {
    const ended = await followTaskOutput(deps(["one", "two"], { exit: { exitCode: 0 } }), ref, "say", "c-1");
    expect(ended).toEqual({ exit: { exitCode: 0 } });
    expect(await stored()).toEqual(["one", "two"]);
  });

  test("output that breaks off keeps what came and is logged; the exit still counts", async () => {
    const ended = await followTaskOutput(deps(["one", "two", "three"], { exit: { exitCode: 2 } }, 2), ref, "say", "c");
    expect(ended).toEqual({ exit: { exitCode: 2 } });
    expect(await stored()).toEqual(["one", "two"]);
    expect(warnings).toEqual(["could not copy task run output"]);
  });

  test("a failed wait is returned as such, with the output copied", async () => {
    const failure = new Error("no such container");
    const ended = await followTaskOutput(deps(["only"], { fail: failure }), ref, "say", "c");
    expect(ended).toEqual({ waitError: failure });
    expect(await stored()).toEqual(["only"]);
  });
});
