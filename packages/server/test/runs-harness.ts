// What the runs-*.test.ts files share: a migrated sqlite file in a temp dir, the process engine running /bin/sh, the
// event log with every event kept, and a QueuedRunOrchestrator wired to them.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Clock, FakeClock, systemClock } from "@gofer/kernel";
import winston from "winston";
import type { StoredEvent } from "../src/events/event-kinds.js";
import { EventLog } from "../src/events/event-log.js";
import { QueuedRunOrchestrator, type RunOrchestratorConfig } from "../src/runs/queued-run-orchestrator.js";
import type { Run } from "../src/runs/run.js";
import type { RunRef } from "../src/runs/run-orchestrator.js";
import { ProcessScheduler } from "../src/scheduler/process-scheduler.js";
import { type Database, openDatabase } from "../src/storage/database.js";
import { insertNamespace } from "../src/storage/namespace-repository.js";
import { replacePipeline } from "../src/storage/pipeline-repository.js";
import type { RequiredParentStatus, VariableRecord } from "../src/storage/schema.js";

export interface TaskInput {
  id: string;
  /** Run through /bin/sh -c. */
  command: string;
  dependsOn?: Record<string, RequiredParentStatus>;
  variables?: Record<string, string>;
  entrypoint?: string[];
}

export interface Harness {
  dir: string;
  database: Database;
  clock: Clock;
  logger: winston.Logger;
  scheduler: ProcessScheduler;
  eventLog: EventLog;
  events: StoredEvent[];
  orchestrator: QueuedRunOrchestrator;
  config: RunOrchestratorConfig;
  addPipeline(id: string, tasks: TaskInput[], parallelism?: number): Promise<void>;
  /** Resolves with the first event (already recorded or to come) that matches. */
  event(predicate: (event: StoredEvent) => boolean): Promise<StoredEvent>;
  /** Builds another orchestrator on the same database, scheduler and event log (a restarted server). */
  restart(config?: Partial<RunOrchestratorConfig>): QueuedRunOrchestrator;
  close(): Promise<void>;
}

export const NAMESPACE = "default";

export async function createHarness(
  options: { clock?: Clock; config?: Partial<RunOrchestratorConfig> } = {},
): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), "gofer-runs-"));
  const database = await openDatabase(join(dir, "gofer.db"));
  const clock = options.clock ?? systemClock;
  const logger = winston.createLogger({ silent: true });
  const scheduler = new ProcessScheduler({ imageMap: {}, clock, logger });
  const eventLog = new EventLog(database.db, clock);
  const events: StoredEvent[] = [];
  const listening = new AbortController();
  eventLog.listen((event) => events.push(event), listening.signal);
  await insertNamespace(database.db, { id: NAMESPACE, name: "Default", description: "", created: 1, modified: 1 });

  const config: RunOrchestratorConfig = {
    runParallelismLimit: 0,
    stopTimeoutMs: 60_000,
    logsDir: join(dir, "logs"),
    logExpiryRuns: 0,
    ...options.config,
  };
  const orchestrators: QueuedRunOrchestrator[] = [];
  const build = (overrides: Partial<RunOrchestratorConfig> = {}) => {
    const orchestrator = new QueuedRunOrchestrator({
      db: database.db,
      scheduler,
      eventLog,
      clock,
      logger,
      config: { ...config, ...overrides },
    });
    orchestrators.push(orchestrator);
    return orchestrator;
  };

  return {
    dir,
    database,
    clock,
    logger,
    scheduler,
    eventLog,
    events,
    orchestrator: build(),
    config,
    async addPipeline(id, tasks, parallelism = 0) {
      await replacePipeline(database.db, {
        pipeline: {
          namespace_id: NAMESPACE,
          id,
          name: id,
          description: "",
          parallelism,
          state: "ACTIVE",
          created: 1,
          modified: 1,
          errors: [],
        },
        tasks: tasks.map((task) => ({
          namespace_id: NAMESPACE,
          pipeline_id: id,
          id: task.id,
          description: "",
          image: "busybox",
          registry_auth: null,
          depends_on: task.dependsOn ?? {},
          variables: Object.entries(task.variables ?? {}).map(
            ([key, value]): VariableRecord => ({ key, value, source: "PIPELINE_CONFIG" }),
          ),
          entrypoint: task.entrypoint ?? null,
          command: [task.command],
        })),
        subscriptions: [],
      });
    },
    event(predicate) {
      const found = events.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => {
        const done = new AbortController();
        eventLog.listen((event) => {
          if (predicate(event)) {
            done.abort();
            resolve(event);
          }
        }, done.signal);
      });
    },
    restart: build,
    async close() {
      listening.abort();
      // Whatever a test left running is killed at once; nothing waits on the (possibly fake) clock.
      for (const orchestrator of orchestrators) void orchestrator.stop(0);
      const stopped = Promise.all(
        (await scheduler.list({ gofer: "true" }))
          .filter((c) => c.state === "running")
          .map((c) => scheduler.stop(c.id, 0)),
      );
      if (clock instanceof FakeClock) await clock.advance(0);
      await stopped;
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function ref(pipelineId: string, runId: number): RunRef {
  return { namespaceId: NAMESPACE, pipelineId, runId };
}

/** Events of one run, as [kind, details] in the order recorded. */
export function runEvents(events: StoredEvent[], pipelineId: string, runId: number): Array<[string, unknown]> {
  return events
    .filter((e) => e.details.pipeline_id === pipelineId && e.details.run_id === runId)
    .map((e) => [e.kind, e.details]);
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

export function statuses(run: Run): string {
  return `${run.state}/${run.status}`;
}
