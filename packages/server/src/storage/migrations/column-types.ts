// The column types and checks the migrations write, per dialect. What a migration creates on sqlite must never change
// once shipped, so the sqlite side here is exactly what the migrations wrote before Postgres existed; Postgres gets
// the nearest equivalent that keeps the repositories' values the same:
//  - integers are int8 (times are epoch ms, past int4), read back as numbers (postgres-database.ts);
//  - text sorts and compares byte by byte (COLLATE "C"), as sqlite's BINARY does, whatever the server's locale;
//  - JSON stays text checked for validity, so both dialects hand the repositories the same strings;
//  - booleans stay 0/1 integers under the same check;
//  - the events id is an identity column, never reused, as sqlite's AUTOINCREMENT.
// Like the migrations, this file imports no app code.
import { type ColumnDefinitionBuilder, type Expression, type Kysely, PostgresAdapter, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current app schema
type AnyDb = Kysely<any>;

export interface ColumnTypes {
  readonly text: "text" | Expression<unknown>;
  readonly integer: "integer" | "bigint";
  /** A check that the column holds valid JSON text (or NULL). */
  json(column: string): Expression<unknown>;
  /** Makes the column an ever-growing, never reused, primary key. */
  autoId(column: ColumnDefinitionBuilder): ColumnDefinitionBuilder;
}

const SQLITE: ColumnTypes = {
  text: "text",
  integer: "integer",
  json: (column) => sql.raw(`json_valid(${column})`),
  autoId: (column) => column.primaryKey().autoIncrement(),
};

const POSTGRES: ColumnTypes = {
  text: sql`text collate "C"`,
  integer: "bigint",
  // A cast of invalid JSON fails the statement, as the check failing would.
  json: (column) => sql.raw(`(${column} IS NULL OR ${column}::json IS NOT NULL)`),
  autoId: (column) => column.primaryKey().generatedByDefaultAsIdentity(),
};

export function columnTypes(db: AnyDb): ColumnTypes {
  return db.getExecutor().adapter instanceof PostgresAdapter ? POSTGRES : SQLITE;
}
