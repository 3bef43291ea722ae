// Trigger leases (issue 21): one holder per trigger, renewed by it, taken over only after expiry, with a term that
// tells a stale holder apart. Times are given, not waited for.
import { describe, expect, it } from "vitest";
import type { Database } from "../src/storage/database.js";
import {
  acquireTriggerLease,
  listTriggerLeases,
  releaseTriggerLease,
  renewTriggerLease,
} from "../src/storage/trigger-lease-repository.js";
import { describeEachStorageEngine } from "./storage-engines.js";
import { useTempDatabase } from "./temp-database.js";

const TTL = 10_000;

describeEachStorageEngine("trigger leases", (engine) => {
  const temp = useTempDatabase(engine);
  const acquire = (owner: string, nowMs: number, db = temp.database.db, triggerName = "interval") =>
    acquireTriggerLease(db, { triggerName, owner, nowMs, ttlMs: TTL });

  it("are held by one owner, renewed by it, and taken by another only once expired, under a new term", async () => {
    const { db } = temp.database;
    expect(await acquire("a", 0)).toEqual({ trigger_name: "interval", owner: "a", term: 1, acquired: 0, expires: TTL });
    expect(await acquire("b", 5_000)).toBeUndefined();
    const renewed = await renewTriggerLease(db, {
      triggerName: "interval",
      owner: "a",
      term: 1,
      nowMs: 5_000,
      ttlMs: TTL,
    });
    expect(renewed?.expires).toBe(15_000);
    expect(await acquire("b", 14_999)).toBeUndefined();
    expect(await acquire("b", 15_000)).toEqual({
      trigger_name: "interval",
      owner: "b",
      term: 2,
      acquired: 15_000,
      expires: 25_000,
    });
    // The old holder learns it lost the trigger whether it renews or tries to take it again.
    expect(
      await renewTriggerLease(db, { triggerName: "interval", owner: "a", term: 1, nowMs: 16_000, ttlMs: TTL }),
    ).toBeUndefined();
    expect(await acquire("a", 16_000)).toBeUndefined();
    expect(await listTriggerLeases(db)).toEqual([
      { trigger_name: "interval", owner: "b", term: 2, acquired: 15_000, expires: 25_000 },
    ]);
  });

  it("keep term and acquisition time when the holder acquires again, and pass at once when released", async () => {
    const { db } = temp.database;
    await acquire("a", 0);
    expect(await acquire("a", 3_000)).toEqual({
      trigger_name: "interval",
      owner: "a",
      term: 1,
      acquired: 0,
      expires: 13_000,
    });
    expect(await releaseTriggerLease(db, { triggerName: "interval", owner: "b", term: 1 })).toBe(false);
    expect(await releaseTriggerLease(db, { triggerName: "interval", owner: "a", term: 1 })).toBe(true);
    expect((await acquire("b", 4_000))?.term).toBe(2);
    // A renewal under a term that moved on fails even for an owner that holds the lease again.
    await releaseTriggerLease(db, { triggerName: "interval", owner: "b", term: 2 });
    expect((await acquire("a", 5_000))?.term).toBe(3);
    expect(
      await renewTriggerLease(db, { triggerName: "interval", owner: "a", term: 1, nowMs: 5_000, ttlMs: TTL }),
    ).toBeUndefined();
  });

  describe("with claimants racing (on Postgres from three pools)", () => {
    const TRIGGERS = Array.from({ length: 20 }, (_, i) => `trigger-${i}`);
    const OWNERS = ["a", "b", "c", "d", "e", "f"];

    async function race(servers: Database[], nowMs: number) {
      const attempts = TRIGGERS.flatMap((trigger) =>
        OWNERS.map(async (owner, i) => ({
          trigger,
          lease: await acquire(owner, nowMs, (servers[i % servers.length] as Database).db, trigger),
        })),
      );
      return (await Promise.all(attempts)).filter((attempt) => attempt.lease !== undefined);
    }

    it("give each trigger to exactly one, and after expiry to exactly one again", async () => {
      const servers = [temp.database, await temp.openAnother(), await temp.openAnother()];
      const first = await race(servers, 0);
      expect(first.map((win) => win.trigger).sort()).toEqual([...TRIGGERS].sort());
      const stored = await listTriggerLeases(temp.database.db);
      for (const win of first) {
        expect(stored.find((lease) => lease.trigger_name === win.trigger)).toEqual(win.lease);
        expect(win.lease?.term).toBe(1);
      }

      const second = await race(servers, TTL);
      expect(second.map((win) => win.trigger).sort()).toEqual([...TRIGGERS].sort());
      for (const win of second) {
        const before = first.find((w) => w.trigger === win.trigger)?.lease;
        // Taken over by a new owner (term 2) or kept by the old one (term 1), never by two.
        expect(win.lease?.term).toBe(win.lease?.owner === before?.owner ? 1 : 2);
      }
      expect(await listTriggerLeases(temp.database.db)).toEqual(
        [...second].sort((x, y) => (x.trigger < y.trigger ? -1 : 1)).map((win) => win.lease),
      );
    });
  });
});
