// Fencing on Postgres: a replica records a trigger's events only while it holds the trigger's lease unexpired, checked
// in the recording transaction (cluster/cluster.ts recordFence, event-processing/event-processor-store.ts). A replica
// frozen past its lease is played by a FakeClock moved past the expiry, and the takeover by the lease repository.
import { FakeClock } from "@gofer/kernel";
import { sql } from "kysely";
import { expect, it, vi } from "vitest";
import winston from "winston";
import { Cluster } from "../src/cluster/cluster.js";
import type { ServerConfig } from "../src/config/config.js";
import { EventProcessor } from "../src/event-processing/event-processor.js";
import { eventProcessorStore } from "../src/event-processing/event-processor-store.js";
import { EventLog } from "../src/events/event-log.js";
import type { FiredEvent } from "../src/events/fired-event.js";
import type { Database } from "../src/storage/database.js";
import { listEvents } from "../src/storage/event-repository.js";
import { insertNamespace } from "../src/storage/namespace-repository.js";
import { replacePipeline } from "../src/storage/pipeline-repository.js";
import { listRuns } from "../src/storage/run-repository.js";
import { acquireTriggerLease } from "../src/storage/trigger-lease-repository.js";
import { describePostgres } from "./storage-engines.js";
import { pipelineRow } from "./storage-fixtures.js";
import { useTempDatabase } from "./temp-database.js";

const TTL = 3_000;

describePostgres("record fence", () => {
  const temp = useTempDatabase("postgres");

  async function seed() {
    const { db } = temp.database;
    await insertNamespace(db, { id: "default", name: "Default", description: "", created: 1, modified: 1 });
    for (const trigger of ["t", "u"]) {
      await replacePipeline(db, {
        pipeline: pipelineRow("default", trigger),
        tasks: [],
        subscriptions: [
          { namespace_id: "default", pipeline_id: trigger, label: "l", trigger_name: trigger, settings: {} },
        ],
      });
    }
  }

  /** Replica `owner`'s cluster part and event processor, on a pool of its own. */
  function replica(owner: string, clock: FakeClock, database: Database) {
    const logger = winston.createLogger({ silent: true });
    const eventLog = new EventLog(database.db, clock);
    // Only the two fields the cluster part reads; the rest of a server's config plays no part here.
    const server = { storageEngine: "postgres", replicaLeaseMs: TTL } as ServerConfig;
    const cluster = Cluster.of(server, owner, { db: database.db, clock, logger, eventLog });
    if (!cluster) throw new Error("a cluster part is made on postgres");
    const processor = new EventProcessor({
      store: eventProcessorStore(database.db, clock, cluster.recordFence),
      eventLog,
      orchestrator: { submit: () => {}, stop: async () => {} },
      ingressEnabled: () => true,
      logger,
    });
    return { cluster, processor, warn: vi.spyOn(logger, "warn") };
  }

  const fired = (trigger: string, n: number): FiredEvent => ({
    triggerName: trigger,
    namespaceId: "default",
    pipelineId: trigger,
    label: "l",
    result: "SUCCESS",
    details: `event ${n}`,
    metadata: {},
  });

  /** The details of each stored FIRED event, as "<trigger> <details>". */
  async function firedStored(): Promise<string[]> {
    return (await listEvents(temp.database.db, { reverse: false, limit: 100 }))
      .filter((e) => e.kind === "FIRED_TRIGGER_EVENT")
      .map((e) => JSON.parse(e.details) as { name: string; result: { details: string } })
      .map((d) => `${d.name} ${d.result.details}`);
  }

  it("records a trigger's events while the replica holds its lease, and none once another took the lease over", async () => {
    await seed();
    const { db } = temp.database;
    const clockA = new FakeClock(0);
    const a = replica("a", clockA, temp.database);
    await acquireTriggerLease(db, { triggerName: "t", owner: "a", nowMs: 0, ttlMs: TTL });

    const held = await a.processor.fireAndProcess(fired("t", 1));
    expect(held.fenced).toBeUndefined();
    expect(held.run).toBeDefined();
    expect(await firedStored()).toEqual(["t event 1"]);

    // a is frozen past its lease; b takes the trigger over, and a also holds another trigger, taken as it wakes up.
    await clockA.advance(TTL + 1);
    const other = await temp.openAnother();
    const takeover = await acquireTriggerLease(other.db, { triggerName: "t", owner: "b", nowMs: TTL + 1, ttlMs: TTL });
    expect(takeover).toMatchObject({ owner: "b", term: 2 });
    await acquireTriggerLease(db, { triggerName: "u", owner: "a", nowMs: TTL + 1, ttlMs: TTL });

    // Fired in one turn, so in one transaction: only the trigger a still holds is recorded.
    const outcomes = await Promise.all([
      a.processor.fireAndProcess(fired("t", 2)),
      a.processor.fireAndProcess(fired("u", 3)),
      a.processor.fireAndProcess(fired("t", 4)),
    ]);
    expect(outcomes.map((o) => o.fenced ?? false)).toEqual([true, false, true]);
    expect(outcomes[0]?.run).toBeUndefined();
    expect(await firedStored()).toEqual(["t event 1", "u event 3"]);
    expect((await listRuns(db, { namespaceId: "default", pipelineId: "t", limit: 10 })).length).toBe(1);
    expect((await listRuns(db, { namespaceId: "default", pipelineId: "u", limit: 10 })).length).toBe(1);
    expect(a.processor.fencedEvents).toBe(2);
    expect(a.warn).toHaveBeenCalledWith(
      expect.stringContaining("no longer holds"),
      expect.objectContaining({ trigger: "t", count: 2 }),
    );

    // The Watcher's way in resolves (handled, so not tried again) and records nothing.
    await a.processor.onFired(fired("t", 5));
    expect(await firedStored()).toEqual(["t event 1", "u event 3"]);
  });

  it("a lease that ran out with nobody taking it over fences the holder too", async () => {
    await seed();
    const clockA = new FakeClock(0);
    const a = replica("a", clockA, temp.database);
    await acquireTriggerLease(temp.database.db, { triggerName: "t", owner: "a", nowMs: 0, ttlMs: TTL });
    await clockA.advance(TTL);
    expect((await a.processor.fireAndProcess(fired("t", 1))).fenced).toBe(true);
    expect(await firedStored()).toEqual([]);
  });

  it("a takeover waits for the recording transaction that found the lease held", async () => {
    const { db } = temp.database;
    const a = replica("a", new FakeClock(0), temp.database);
    await acquireTriggerLease(db, { triggerName: "t", owner: "a", nowMs: 0, ttlMs: TTL });
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let checked!: (names: ReadonlySet<string>) => void;
    const found = new Promise<ReadonlySet<string>>((resolve) => {
      checked = resolve;
    });
    const recording = db.transaction().execute(async (trx) => {
      checked(await a.cluster.recordFence(trx, ["t"]));
      await released;
    });
    expect([...(await found)]).toEqual(["t"]);

    const other = await temp.openAnother();
    let takenOver = false;
    const takeover = acquireTriggerLease(other.db, { triggerName: "t", owner: "b", nowMs: TTL + 1, ttlMs: TTL }).then(
      (lease) => {
        takenOver = true;
        return lease;
      },
    );
    // The takeover's update is seen waiting on the row lock the recording holds (released whatever happens, so a
    // failure here does not leave the transaction open).
    try {
      await vi.waitFor(
        async () => {
          const { rows } = await sql<{ waiting: string }>`
          select count(*) as waiting from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock'`.execute(db);
          expect(Number(rows[0]?.waiting)).toBe(1);
        },
        { timeout: 10_000, interval: 20 },
      );
      expect(takenOver).toBe(false);
    } finally {
      release();
    }
    await recording;
    expect(await takeover).toMatchObject({ owner: "b", term: 2 });
  });
});
