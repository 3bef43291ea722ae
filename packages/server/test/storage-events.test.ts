import { describe, expect, it } from "vitest";
import {
  deleteEventsBefore,
  getEvent,
  insertEvent,
  insertEvents,
  listEvents,
} from "../src/storage/event-repository.js";
import { describeEachStorageEngine } from "./storage-engines.js";
import { useTempDatabase } from "./temp-database.js";

describeEachStorageEngine("event storage", (engine) => {
  const temp = useTempDatabase(engine);

  async function insertAt(...emitted: number[]): Promise<void> {
    for (const time of emitted) {
      await insertEvent(temp.database.db, {
        kind: "CREATED_NAMESPACE",
        details: JSON.stringify({ namespace_id: `ns${time}` }),
        emitted: time,
      });
    }
  }

  const ids = (rows: { id: number }[]) => rows.map((r) => r.id);

  describe("the event log", () => {
    it("gives events increasing ids and returns them as stored", async () => {
      const event = await insertEvent(temp.database.db, {
        kind: "CREATED_NAMESPACE",
        details: '{"namespace_id":"a"}',
        emitted: 5,
      });
      expect(event).toEqual({ id: 1, kind: "CREATED_NAMESPACE", details: '{"namespace_id":"a"}', emitted: 5 });
      expect(await getEvent(temp.database.db, 1)).toEqual(event);
      expect(await getEvent(temp.database.db, 2)).toBeUndefined();
    });

    it("lists oldest first, or newest first when reversed, continuing after an id", async () => {
      await insertAt(10, 20, 30, 40, 50);
      expect(ids(await listEvents(temp.database.db, { reverse: false, limit: 10 }))).toEqual([1, 2, 3, 4, 5]);
      expect(ids(await listEvents(temp.database.db, { reverse: true, limit: 10 }))).toEqual([5, 4, 3, 2, 1]);
      expect(ids(await listEvents(temp.database.db, { reverse: false, limit: 2, afterId: 2 }))).toEqual([3, 4]);
      expect(ids(await listEvents(temp.database.db, { reverse: true, limit: 2, afterId: 4 }))).toEqual([3, 2]);
      expect(ids(await listEvents(temp.database.db, { reverse: false, limit: 2, afterId: 5 }))).toEqual([]);
    });

    it("stores several events in one statement, with ids in the order given, after those stored before", async () => {
      await insertAt(10);
      const batch = ["a", "b", "c", "d"].map((name, i) => ({
        kind: i % 2 === 0 ? ("CREATED_NAMESPACE" as const) : ("DELETED_NAMESPACE" as const),
        details: JSON.stringify({ namespace_id: name }),
        emitted: 20 + i,
      }));
      const stored = await insertEvents(temp.database.db, batch);
      expect(stored).toEqual(batch.map((event, i) => ({ id: 2 + i, ...event })));
      expect(await listEvents(temp.database.db, { reverse: false, limit: 10 })).toEqual([
        { id: 1, kind: "CREATED_NAMESPACE", details: '{"namespace_id":"ns10"}', emitted: 10 },
        ...stored,
      ]);
      expect(await insertEvents(temp.database.db, [])).toEqual([]);
    });

    it("prunes events emitted before a time and never reuses their ids", async () => {
      await insertAt(10, 20, 30);
      expect(await deleteEventsBefore(temp.database.db, 30)).toBe(2);
      expect(ids(await listEvents(temp.database.db, { reverse: false, limit: 10 }))).toEqual([3]);
      await deleteEventsBefore(temp.database.db, 100);
      await insertAt(110);
      expect(ids(await listEvents(temp.database.db, { reverse: false, limit: 10 }))).toEqual([4]);
    });
  });
});
