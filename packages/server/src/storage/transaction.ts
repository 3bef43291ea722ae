import type { Kysely, Transaction } from "kysely";
import type { Schema } from "./schema.js";

/**
 * Runs `fn` in one transaction: everything it writes commits together or not at all. Called with a transaction
 * already (a repository function used inside a caller's transaction), it joins that one instead of nesting, so
 * repository functions compose.
 */
export function transaction<T>(db: Kysely<Schema>, fn: (trx: Transaction<Schema>) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db as Transaction<Schema>);
  return db.transaction().execute(fn);
}
