import { existsSync, readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { FailedPreconditionError, NotFoundError } from "../src/errors.js";
import { collect, createHarness, type Harness, ref } from "./runs-harness.js";

let h: Harness;
afterEach(async () => {
  await h.close();
});

describe("task run logs", () => {
  it("a reader started early receives lines while the task still runs, then ends with it", async () => {
    h = await createHarness();
    await h.addPipeline("print", [
      { id: "count", command: "for i in 1 2 3; do echo $i; sleep 0.2; done; echo oops >&2" },
    ]);
    await h.orchestrator.startRun("default", "print", {});
    // Open before the container starts: the reader waits for the output to begin.
    await h.event((e) => e.kind === "CREATED_TASKRUN");
    const lines = await h.orchestrator.taskRunLogs(ref("print", 1), "count");

    const seen: Array<{ line: string; lineNum: number; taskState: string }> = [];
    for await (const { line, lineNum } of lines) {
      const { state } = await h.orchestrator.store.findTaskRun(ref("print", 1), "count");
      seen.push({ line, lineNum, taskState: state });
    }
    expect(seen.map(({ line, lineNum }) => [lineNum, line])).toEqual([
      [1, "1"],
      [2, "2"],
      [3, "3"],
      [4, "oops"],
    ]);
    expect(seen[0]?.taskState).toBe("RUNNING");
    expect((await h.orchestrator.store.findTaskRun(ref("print", 1), "count")).state).toBe("COMPLETE");

    // After the run: the whole file, then the end.
    const again = await collect(await h.orchestrator.taskRunLogs(ref("print", 1), "count"));
    expect(again.map((l) => l.line)).toEqual(["1", "2", "3", "oops"]);
    expect(existsSync(`${h.config.logsDir}/default/print/1/count.log`)).toBe(true);
  });

  it("DeleteTaskRunLogs refuses a running task, then removes the file and marks logs_removed", async () => {
    h = await createHarness();
    await h.addPipeline("del", [{ id: "talk", command: "echo hello; sleep 30" }]);
    await h.orchestrator.startRun("default", "del", {});
    await h.event((e) => e.kind === "STARTED_TASKRUN");
    await expect(h.orchestrator.deleteTaskRunLogs(ref("del", 1), "talk")).rejects.toThrow(
      new FailedPreconditionError(
        'cannot delete the logs of task run "talk" of run 1 of pipeline "del" in namespace "default" while it is RUNNING',
      ),
    );
    await h.orchestrator.cancelRun(ref("del", 1), { force: true });

    await h.orchestrator.deleteTaskRunLogs(ref("del", 1), "talk");
    expect(existsSync(`${h.config.logsDir}/default/del/1/talk.log`)).toBe(false);
    expect((await h.orchestrator.store.findTaskRun(ref("del", 1), "talk")).logsRemoved).toBe(true);
    await expect(h.orchestrator.taskRunLogs(ref("del", 1), "talk")).rejects.toThrow(
      new NotFoundError(
        'logs of task run "talk" of run 1 of pipeline "del" in namespace "default" were removed (DeleteTaskRunLogs)',
      ),
    );
  });

  it("a task run that prints nothing has an empty log file", async () => {
    h = await createHarness();
    await h.addPipeline("quiet", [{ id: "hush", command: "true" }]);
    await h.orchestrator.startRun("default", "quiet", {});
    const run = await h.orchestrator.waitForRun(ref("quiet", 1));
    expect(run.status).toBe("SUCCESSFUL");
    expect(await collect(await h.orchestrator.taskRunLogs(ref("quiet", 1), "hush"))).toEqual([]);
    expect(readFileSync(`${h.config.logsDir}/default/quiet/1/hush.log`, "utf8")).toBe("");
  });

  it("a skipped task run has no logs", async () => {
    h = await createHarness();
    await h.addPipeline("skip", [
      { id: "fail", command: "exit 1" },
      { id: "never", command: "true", dependsOn: { fail: "SUCCESS" } },
    ]);
    await h.orchestrator.startRun("default", "skip", {});
    await h.orchestrator.waitForRun(ref("skip", 1));
    await expect(h.orchestrator.taskRunLogs(ref("skip", 1), "never")).rejects.toThrow(
      'task run "never" of run 1 of pipeline "skip" in namespace "default" has no logs: it never started (SKIPPED)',
    );
    await expect(h.orchestrator.taskRunLogs(ref("skip", 7), "never")).rejects.toThrow(
      'run 7 of pipeline "skip" in namespace "default" not found',
    );
  });

  it("keeps the logs of the newest runs only and marks older runs' task runs logs_expired", async () => {
    h = await createHarness({ config: { logExpiryRuns: 2 } });
    await h.addPipeline("expiry", [{ id: "say", command: "echo run $GOFER_RUN_ID" }], 1);
    for (let i = 0; i < 3; i++) await h.orchestrator.startRun("default", "expiry", {});
    for (const id of [1, 2, 3]) await h.orchestrator.waitForRun(ref("expiry", id));
    // Run 3 expires run 1's logs just before it completes.
    expect((await h.orchestrator.store.findTaskRun(ref("expiry", 1), "say")).logsExpired).toBe(true);

    expect(existsSync(`${h.config.logsDir}/default/expiry/1/say.log`)).toBe(false);
    await expect(h.orchestrator.taskRunLogs(ref("expiry", 1), "say")).rejects.toThrow(
      'logs of task run "say" of run 1 of pipeline "expiry" in namespace "default" have expired: only the newest 2 runs of a pipeline keep their logs (task_execution_log_expiry)',
    );
    for (const id of [2, 3]) {
      expect((await h.orchestrator.store.findTaskRun(ref("expiry", id), "say")).logsExpired).toBe(false);
      const lines = await collect(await h.orchestrator.taskRunLogs(ref("expiry", id), "say"));
      expect(lines).toEqual([{ line: `run ${id}`, lineNum: 1 }]);
    }
  });
});
