import { statSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../src/storage/database.js";
import { insertEvent, listEvents } from "../src/storage/event-repository.js";
import { useTempDatabase } from "./temp-database.js";

// Its own files in the fixture's directory, to open and close them itself.
const temp = useTempDatabase();

describe("WAL checkpoints", () => {
  it("are made by the worker, so the database file fills while the server's connection only appends", async () => {
    const path = `${temp.dir}/checkpointed.db`;
    const database = await openDatabase(path, { checkpointIntervalMs: 20 });
    const sizeBefore = statSync(path).size;
    const details = JSON.stringify({ padding: "x".repeat(2_000) });
    for (let n = 0; n < 500; n++) {
      await insertEvent(database.db, { kind: "CREATED_NAMESPACE", details, emitted: n });
    }
    // 500 rows of 2 KB are ~250 pages: far below the connection's own threshold, so only the worker copies them.
    await expect.poll(() => database.checkpointer?.stats.frames ?? 0, { timeout: 5_000 }).toBeGreaterThan(200);
    expect(statSync(path).size).toBeGreaterThan(sizeBefore + 500 * 2_000);
    expect(database.checkpointer?.stats.errors).toBe(0);
    await database.close();

    const reopened = await openDatabase(path);
    expect(await listEvents(reopened.db, { reverse: false, limit: 1_000 })).toHaveLength(500);
    await reopened.close();
  });

  it("stop with the database, which closes cleanly even right after opening", async () => {
    const database = await openDatabase(`${temp.dir}/quick.db`);
    await database.close();
    await database.close();
  });
});
