// Run numbers on Postgres. sqlite runs one write at a time, so run-repository's single INSERT … SELECT max(id) + 1 is
// atomic there. Under Postgres's READ COMMITTED, two such statements (two servers, or two connections of one) could
// read the same max and one would fail on the primary key. So the pipeline's row is locked first, and the number is
// read by a later statement, which sees every run committed before the lock was granted. FOR NO KEY UPDATE queues
// run inserts of the same pipeline and nothing else: reads and foreign-key checks against the pipeline go on.
import { type Insertable, type Kysely, type Selectable, sql } from "kysely";
import type { RunTable, Schema } from "./schema.js";
import { transaction } from "./transaction.js";

export async function insertRunLocked(
  db: Kysely<Schema>,
  values: Omit<Insertable<RunTable>, "id">,
): Promise<Pick<Selectable<RunTable>, "id"> | undefined> {
  return transaction(db, async (trx) => {
    // No row: the pipeline is missing, and the insert below fails on the foreign key as it does on sqlite.
    await trx
      .selectFrom("pipelines")
      .select("id")
      .where("namespace_id", "=", values.namespace_id)
      .where("id", "=", values.pipeline_id)
      .forNoKeyUpdate()
      .execute();
    const nextId = sql<number>`(select coalesce(max(id), 0) + 1 from runs
      where namespace_id = ${values.namespace_id} and pipeline_id = ${values.pipeline_id})`;
    return trx
      .insertInto("runs")
      .values({ ...values, id: nextId })
      .returning("id")
      .executeTakeFirst();
  });
}
