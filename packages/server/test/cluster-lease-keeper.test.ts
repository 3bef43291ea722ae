// The lease keeper (cluster/lease-keeper.ts) on its own: replicas are keepers on one database with a fake trigger
// runtime each, and time is a FakeClock per replica (a replica whose clock is ahead sees the others' leases run out).
// Each round is awaited by waiting for the keeper's loop to park again.
import { FakeClock } from "@gofer/kernel";
import { afterEach, expect, it } from "vitest";
import winston from "winston";
import { type LeasedTriggers, LeaseKeeper } from "../src/cluster/lease-keeper.js";
import { EventLog } from "../src/events/event-log.js";
import type { Database } from "../src/storage/database.js";
import { listEvents } from "../src/storage/event-repository.js";
import { listTriggerLeases } from "../src/storage/trigger-lease-repository.js";
import { describeEachStorageEngine } from "./storage-engines.js";
import { useTempDatabase } from "./temp-database.js";

const TTL = 3_000;
const ROUND = TTL / 3;
const logger = winston.createLogger({ silent: true });

class FakeTriggers implements LeasedTriggers {
  readonly running = new Set<string>();
  readonly converged: string[] = [];
  constructor(readonly statuses: Map<string, boolean>) {}
  async triggerStatuses() {
    return [...this.statuses].map(([name, enabled]) => ({ name, enabled }));
  }
  async adopt(name: string) {
    this.running.add(name);
  }
  async relinquish(name: string) {
    this.running.delete(name);
  }
  async converge(name: string) {
    this.converged.push(name);
  }
}

describeEachStorageEngine("trigger lease keeper", (engine) => {
  const temp = useTempDatabase(engine);
  const stops: AbortController[] = [];
  afterEach(() => {
    for (const stop of stops.splice(0)) stop.abort();
  });

  async function replica(owner: string, clock: FakeClock, statuses: Map<string, boolean>, db?: Database) {
    const database = db ?? (await temp.openAnother());
    const keeper = new LeaseKeeper({
      db: database.db,
      owner,
      ttlMs: TTL,
      clock,
      logger,
      eventLog: new EventLog(database.db, clock),
    });
    const triggers = new FakeTriggers(statuses);
    const stop = new AbortController();
    stops.push(stop);
    const { loop } = await keeper.start(triggers, triggers, stop.signal);
    await clock.waitForSleepers(1);
    /** One round: time moves on by a round and the loop parks again. */
    const round = async () => {
      await clock.advance(ROUND);
      await clock.waitForSleepers(1);
    };
    return { keeper, triggers, stop, loop, round };
  }
  const holderEvents = async () =>
    (await listEvents(temp.database.db, { reverse: false, limit: 100 }))
      .filter((e) => e.kind === "TOOK_TRIGGER" || e.kind === "LEFT_TRIGGER")
      .map((e): Record<string, unknown> => ({ kind: e.kind, ...(JSON.parse(e.details) as Record<string, unknown>) }));

  it("run each enabled trigger on one replica; another takes it only once the holder's lease ran out", async () => {
    const statuses = new Map([["interval", true]]);
    const clockA = new FakeClock(0);
    const clockB = new FakeClock(0);
    const a = await replica("a", clockA, statuses, temp.database);
    const b = await replica("b", clockB, statuses);
    expect([...a.triggers.running]).toEqual(["interval"]);
    expect(b.triggers.running.size).toBe(0);
    await a.round();
    expect(a.triggers.converged).toEqual(["interval"]);

    a.stop.abort(); // a dies: no more renewals, nothing released
    await a.loop;
    await b.round();
    expect(b.triggers.running.size).toBe(0); // a's lease, renewed at ROUND, lasts until ROUND + TTL
    await clockB.advance(TTL - ROUND);
    await b.round();
    expect([...b.triggers.running]).toEqual(["interval"]);
    expect(await holderEvents()).toEqual([
      { kind: "TOOK_TRIGGER", name: "interval", replica: "a", term: 1, previous: "" },
      {
        kind: "TOOK_TRIGGER",
        name: "interval",
        replica: "b",
        term: 2,
        previous: "a",
        previous_expired: ROUND + TTL,
      },
    ]);
  });

  it("stop a trigger whose lease another replica took, and one disabled through any replica", async () => {
    const statuses = new Map([
      ["interval", true],
      ["cron", true],
    ]);
    const clockA = new FakeClock(0);
    const a = await replica("a", clockA, statuses, temp.database);
    expect([...a.triggers.running].sort()).toEqual(["cron", "interval"]);
    // b's clock is past a's leases: to b they have run out (a stalled, say), so b takes both.
    const b = await replica("b", new FakeClock(TTL), statuses);
    expect([...b.triggers.running].sort()).toEqual(["cron", "interval"]);
    await a.round();
    expect(a.triggers.running.size).toBe(0);
    expect(a.keeper.holds("interval")).toBe(false);

    statuses.set("cron", false);
    await b.round();
    expect([...b.triggers.running]).toEqual(["interval"]);
    expect(b.keeper.runsSomewhere("cron")).toBe(false);
    const left = (await holderEvents()).filter((e) => e.kind === "LEFT_TRIGGER");
    expect(left.map((e) => [e.name, e.replica, e.reason])).toEqual([
      ["interval", "a", "lease lost"],
      ["cron", "a", "lease lost"],
      ["cron", "b", "disabled or uninstalled"],
    ]);
  });

  it("hand the leases on at once when the holder stops", async () => {
    const statuses = new Map([["interval", true]]);
    const clock = new FakeClock(0);
    const a = await replica("a", clock, statuses, temp.database);
    const b = await replica("b", clock, statuses);
    a.stop.abort();
    await a.loop;
    await a.keeper.releaseAll("server stopping");
    await b.round(); // well before a's lease would have run out
    expect([...b.triggers.running]).toEqual(["interval"]);
    expect((await listTriggerLeases(temp.database.db)).map((l) => [l.trigger_name, l.owner])).toEqual([
      ["interval", "b"],
    ]);
  });
});
