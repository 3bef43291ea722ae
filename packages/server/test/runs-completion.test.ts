// How a run's end is recorded (run-execution.ts): its last task run and the run complete in one commit, with the
// run's own writes (its token's removal); when that commit fails, the run still ends, FAILED, rather than staying
// RUNNING.
import { afterEach, expect, it, vi } from "vitest";
import { QueuedRunOrchestrator } from "../src/runs/queued-run-orchestrator.js";
import type { RunRef } from "../src/runs/run-orchestrator.js";
import { createHarness, type Harness, ref, runEvents } from "./runs-harness.js";

let h: Harness;
let orchestrator: QueuedRunOrchestrator | undefined;
afterEach(async () => {
  await orchestrator?.stop(0);
  orchestrator = undefined;
  await h.close();
});

/** The events of a one-task run, start to end, in order. */
const ONE_TASK_RUN_EVENTS = ["STARTED_RUN", "CREATED_TASKRUN", "STARTED_TASKRUN", "COMPLETED_TASKRUN", "COMPLETED_RUN"];

function withCredentials(revoke: (ref: RunRef) => Promise<void>): QueuedRunOrchestrator {
  return new QueuedRunOrchestrator({
    db: h.database.db,
    scheduler: h.scheduler,
    eventLog: h.eventLog,
    clock: h.clock,
    logger: h.logger,
    config: h.config,
    stores: {
      resolveEnv: (_ref, variables) => Object.fromEntries(variables.map((v) => [v.key, v.value])),
      runCompleting: async () => undefined,
      runCredentials: { issue: async () => {}, revoke: (_trx, completing) => revoke(completing) },
    },
  });
}

it("the last task run and the run complete in one commit, with the run's own writes", async () => {
  h = await createHarness();
  await h.addPipeline("one", [{ id: "only", command: "true" }]);
  const revoked: RunRef[] = [];
  orchestrator = withCredentials(async (completing) => {
    revoked.push(completing);
  });
  await orchestrator.startRun("default", "one", {});
  const run = await orchestrator.waitForRun(ref("one", 1));
  expect(run.status).toBe("SUCCESSFUL");
  expect(revoked).toEqual([ref("one", 1)]);
  expect(runEvents(h.events, "one", 1).map(([kind]) => kind)).toEqual(ONE_TASK_RUN_EVENTS);
});

it("a completion commit that fails still ends the run, FAILED, with nothing of the failed commit kept", async () => {
  h = await createHarness();
  await h.addPipeline("one", [{ id: "only", command: "true" }]);
  const revoke = vi.fn(async () => {});
  revoke.mockRejectedValueOnce(new Error("database went away"));
  orchestrator = withCredentials(revoke);
  await orchestrator.startRun("default", "one", {});
  const run = await orchestrator.waitForRun(ref("one", 1));
  expect(run.status).toBe("FAILED");
  const taskRun = await orchestrator.store.findTaskRun(ref("one", 1), "only");
  expect(taskRun).toMatchObject({ state: "COMPLETE", status: "FAILED" });
  expect(taskRun.statusReason?.description).toBe("Internal error: database went away");
  expect(runEvents(h.events, "one", 1).map(([kind]) => kind)).toEqual(ONE_TASK_RUN_EVENTS);
});
