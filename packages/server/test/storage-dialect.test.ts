// The sqlite dialect's one connection, shared by queries and transactions: waiters get it in the order they asked,
// a failed transaction rolls back and hands it on, and statements kept per SQL text still see fresh data.
import { sql } from "kysely";
import { describe, expect, test } from "vitest";
import { insertNamespace } from "../src/storage/namespace-repository.js";
import { transaction } from "../src/storage/transaction.js";
import { useTempDatabase } from "./temp-database.js";

const temp = useTempDatabase();

describe("the sqlite dialect", () => {
  test("concurrent transactions take the connection in the order they asked for it", async () => {
    const { db } = temp.database;
    await sql`create table log (n integer)`.execute(db);
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 50 }, (_, n) =>
        transaction(db, async (trx) => {
          order.push(n);
          await sql`insert into log (n) values (${n})`.execute(trx);
          // A transaction that waits on something else (here: a later turn of the event loop) keeps the connection;
          // the others queue behind it.
          if (n % 10 === 0) await new Promise((r) => setImmediate(r));
        }),
      ),
    );
    expect(order).toEqual(Array.from({ length: 50 }, (_, n) => n));
    const rows = await sql<{ n: number }>`select n from log order by rowid`.execute(db);
    expect(rows.rows.map((r) => r.n)).toEqual(order);
  });

  test("a transaction that throws is rolled back and the next one runs", async () => {
    const { db } = temp.database;
    const failed = transaction(db, async (trx) => {
      await insertNamespace(trx, { id: "gone", name: "Gone", description: "", created: 1, modified: 1 });
      throw new Error("changed my mind");
    });
    const next = transaction(db, (trx) =>
      insertNamespace(trx, { id: "kept", name: "Kept", description: "", created: 1, modified: 1 }),
    );
    await expect(failed).rejects.toThrow("changed my mind");
    await next;
    const ids = await db.selectFrom("namespaces").select("id").where("id", "in", ["gone", "kept"]).execute();
    expect(ids.map((r) => r.id)).toEqual(["kept"]);
  });

  test("a statement run again sees rows written since", async () => {
    const { db } = temp.database;
    const count = async () =>
      (
        await db
          .selectFrom("namespaces")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .executeTakeFirstOrThrow()
      ).n;
    const before = await count();
    await insertNamespace(db, { id: "one-more", name: "One more", description: "", created: 1, modified: 1 });
    expect(await count()).toBe(before + 1);
  });

  test("rows can be streamed while other queries run", async () => {
    const { db } = temp.database;
    for (const id of ["s1", "s2", "s3"])
      await insertNamespace(db, { id, name: id, description: "", created: 1, modified: 1 });
    const seen: string[] = [];
    for await (const row of db.selectFrom("namespaces").select("id").where("id", "like", "s%").orderBy("id").stream()) {
      seen.push(row.id);
    }
    expect(seen).toEqual(["s1", "s2", "s3"]);
  });
});
