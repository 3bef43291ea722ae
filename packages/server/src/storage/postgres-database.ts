// Opens the Postgres database several servers can share, and brings its schema up to date (the same migrations as
// sqlite, dialect-aware where the types differ: storage/migrations/column-types.ts).
//
// Values come back as the repositories expect them from sqlite: int8 columns (times in epoch ms, ids, counts) as
// numbers rather than pg's default strings, and sums (numeric) likewise. There is no checkpointer: WAL upkeep is the
// Postgres server's job.
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import type { Logger } from "winston";
import type { Database } from "./database.js";
import { migrateToLatest } from "./migrate.js";
import type { Schema } from "./schema.js";
import { redactStorageUrl } from "./storage-url.js";

const INT8_OID = 20;
const NUMERIC_OID = 1700;

export interface OpenPostgresOptions {
  /** Most connections the pool opens at once. */
  readonly maxConnections?: number;
  readonly logger?: Logger;
}

/** Connects to the database `url` names (postgres://user:pass@host:port/db) and migrates it. */
export async function openPostgresDatabase(url: string, options: OpenPostgresOptions = {}): Promise<Database> {
  const where = redactStorageUrl(url) ?? "<storage URL that is not a URL>";
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    types: { getTypeParser: typeParser },
  });
  // An idle connection that breaks (server restart) is reported here; without a listener it would end the process.
  pool.on("error", (error) => options.logger?.warn("idle Postgres connection failed", { where, error: error.message }));
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  try {
    await migrateToLatest(db);
  } catch (error) {
    await db.destroy();
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`opening the Postgres database at ${where} failed: ${message}`, { cause: error });
  }
  let closing: Promise<void> | undefined;
  return {
    db,
    checkpointer: undefined,
    close() {
      closing ??= db.destroy();
      return closing;
    },
  };
}

// Parsers are chosen per pool, not through pg's process-wide registry, so nothing else in the process is affected.
function typeParser(oid: number, format?: string): (value: string) => unknown {
  if (oid === INT8_OID) return parseInt8;
  if (oid === NUMERIC_OID) return parseNumeric;
  // biome-ignore lint/suspicious/noExplicitAny: pg's overloads do not accept a union of formats
  return pg.types.getTypeParser(oid, format as any);
}

function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value))
    throw new Error(`stored integer ${text} is beyond the range a number holds exactly`);
  return value;
}

function parseNumeric(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value)) throw new Error(`stored number ${text} is not finite`);
  return value;
}
