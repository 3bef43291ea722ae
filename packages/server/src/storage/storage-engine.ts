// Which database engine a kysely instance talks to. Repositories are written once for both; the few queries whose SQL
// or locking differs ask here rather than each knowing about adapters.
import { type Kysely, PostgresAdapter } from "kysely";

export type StorageEngine = "sqlite" | "postgres";

// biome-ignore lint/suspicious/noExplicitAny: migrations ask too, with their Kysely<any>
export function storageEngineOf(db: Kysely<any>): StorageEngine {
  return db.getExecutor().adapter instanceof PostgresAdapter ? "postgres" : "sqlite";
}
