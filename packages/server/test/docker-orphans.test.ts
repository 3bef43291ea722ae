// Orphan repair on a real daemon: after a crash, the containers of unfinished task runs are found again (by the id
// recorded, or by their labels when the crash came before the id was stored) and reconciled: a running one is followed
// to its end with its whole output, an exited one gives its exit code, an unknown one makes the task run ORPHANED.
// The "crashed server" is a second engine instance: nothing in memory carries over, only the daemon's state.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { systemClock } from "@gofer/kernel";
import { afterEach, beforeEach, describe, expect, inject, test } from "vitest";
import winston from "winston";
import { EventLog } from "../src/events/event-log.js";
import { QueuedRunOrchestrator } from "../src/runs/queued-run-orchestrator.js";
import type { RunRef } from "../src/runs/run-orchestrator.js";
import { taskContainerLabels, taskContainerName } from "../src/runs/task-container.js";
import { connectDocker } from "../src/scheduler/docker-api.js";
import { DockerScheduler } from "../src/scheduler/docker-scheduler.js";
import { type Database, openDatabase } from "../src/storage/database.js";
import { insertNamespace } from "../src/storage/namespace-repository.js";
import { replacePipeline } from "../src/storage/pipeline-repository.js";
import { insertRun } from "../src/storage/run-repository.js";
import type { TaskRecord, TaskRunState } from "../src/storage/schema.js";
import { insertTaskRun } from "../src/storage/task-run-repository.js";
import { removeContainersLabelled, TASK_IMAGE, uniqueId } from "./docker-harness.js";
import { collect } from "./runs-harness.js";
import { pipelineRow } from "./storage-fixtures.js";

const available = inject("docker").available;
const logger = winston.createLogger({ silent: true });

let dir: string;
let database: Database;
let pipelineId: string;
let engines: DockerScheduler[];

function engine(): DockerScheduler {
  const created = new DockerScheduler({ api: connectDocker(), network: "host", clock: systemClock, logger });
  engines.push(created);
  return created;
}

function orchestrator(scheduler: DockerScheduler): QueuedRunOrchestrator {
  const eventLog = new EventLog(database.db, systemClock);
  return new QueuedRunOrchestrator({
    db: database.db,
    scheduler,
    eventLog,
    clock: systemClock,
    logger,
    config: { runParallelismLimit: 0, stopTimeoutMs: 2_000, logsDir: join(dir, "logs"), logExpiryRuns: 0 },
  });
}

function task(id: string): TaskRecord {
  return {
    id,
    description: "",
    image: TASK_IMAGE,
    registry_auth: null,
    depends_on: {},
    variables: [],
    entrypoint: null,
    command: ["sh", "-c", "echo never run by this test"],
  };
}

/** The rows a crashed server would have left behind: a RUNNING run and its task runs. */
async function leftBehind(taskRuns: Array<{ id: string; state: TaskRunState; schedulerId: string | null }>) {
  const run = await insertRun(database.db, {
    namespace_id: "default",
    pipeline_id: pipelineId,
    started: 1,
    ended: null,
    state: "RUNNING",
    status: "UNKNOWN",
    status_reason: null,
    trigger_name: "manual",
    trigger_label: "api",
    variables: [],
    store_objects_expired: false,
    event_id: null,
  });
  for (const taskRun of taskRuns) {
    await insertTaskRun(database.db, {
      namespace_id: "default",
      pipeline_id: pipelineId,
      run_id: run.id,
      id: taskRun.id,
      task: task(taskRun.id),
      created: 1,
      started: taskRun.state === "RUNNING" ? 2 : null,
      ended: null,
      exit_code: null,
      state: taskRun.state,
      status: "UNKNOWN",
      status_reason: null,
      logs_expired: false,
      logs_removed: false,
      variables: [],
      scheduler_id: taskRun.schedulerId,
    });
  }
  return { namespaceId: "default", pipelineId, runId: run.id } satisfies RunRef;
}

/** A task container as the crashed server started it. */
async function startedBeforeCrash(ref: RunRef, taskId: string, script: string) {
  return engine().start({
    name: taskContainerName(ref, taskId),
    image: TASK_IMAGE,
    env: {},
    command: ["sh", "-c", script],
    labels: taskContainerLabels(ref, taskId),
  });
}

beforeEach(async () => {
  engines = [];
  dir = mkdtempSync(join(tmpdir(), "gofer-docker-orphans-"));
  database = await openDatabase(join(dir, "gofer.db"));
  pipelineId = uniqueId("orphans");
  await insertNamespace(database.db, { id: "default", name: "Default", description: "", created: 1, modified: 1 });
  await replacePipeline(database.db, {
    pipeline: pipelineRow("default", pipelineId),
    tasks: [],
    subscriptions: [],
  });
});

afterEach(async () => {
  await Promise.all(engines.map((e) => e.close(0)));
  await removeContainersLabelled({ "gofer.pipeline": pipelineId });
  await database.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!available)("docker engine: orphan repair", () => {
  test("a container started just before the crash is found by its labels and followed to its end", async () => {
    const ref = await leftBehind([{ id: "build", state: "PROCESSING", schedulerId: null }]);
    const { id } = await startedBeforeCrash(ref, "build", "echo from before; sleep 1; echo and after");

    const restarted = orchestrator(engine());
    await restarted.repairOrphans();
    const run = await restarted.waitForRun(ref);
    expect(run.status).toBe("SUCCESSFUL");
    const [build] = await restarted.store.findTaskRuns(ref);
    expect(build).toMatchObject({ status: "SUCCESSFUL", exitCode: 0, schedulerId: id });
    const lines = await collect(await restarted.taskRunLogs(ref, "build"));
    expect(lines.map((l) => l.line)).toEqual(["from before", "and after"]);
  }, 60_000);

  test("a recorded container still running is followed again; one that exited meanwhile gives its exit code", async () => {
    const probe = { namespaceId: "default", pipelineId, runId: 1 };
    const running = await startedBeforeCrash(probe, "slow", "sleep 1; exit 3");
    const exited = await startedBeforeCrash(probe, "quick", "exit 5");
    await engines[1]?.wait(exited.id);
    const ref = await leftBehind([
      { id: "slow", state: "RUNNING", schedulerId: running.id },
      { id: "quick", state: "RUNNING", schedulerId: exited.id },
    ]);
    expect(ref.runId).toBe(1);

    const restarted = orchestrator(engine());
    await restarted.repairOrphans();
    expect((await restarted.waitForRun(ref)).status).toBe("FAILED");
    const [quick, slow] = await restarted.store.findTaskRuns(ref);
    expect(quick).toMatchObject({ status: "FAILED", exitCode: 5, statusReason: { reason: "ABNORMAL_EXIT" } });
    expect(slow).toMatchObject({ status: "FAILED", exitCode: 3, statusReason: { reason: "ABNORMAL_EXIT" } });
  }, 60_000);

  test("a recorded container the daemon no longer knows makes the task run ORPHANED", async () => {
    const gone = "0".repeat(64);
    const ref = await leftBehind([{ id: "lost", state: "RUNNING", schedulerId: gone }]);
    const restarted = orchestrator(engine());
    await restarted.repairOrphans();
    expect((await restarted.waitForRun(ref)).status).toBe("FAILED");
    const [lost] = await restarted.store.findTaskRuns(ref);
    expect(lost).toMatchObject({
      status: "FAILED",
      statusReason: {
        reason: "ORPHANED",
        description: `Task run was left RUNNING and the docker scheduler no longer knows its container "${gone}"`,
      },
    });
  }, 60_000);
});
