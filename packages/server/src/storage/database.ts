// Opens the sqlite file the server keeps all state in, and brings its schema up to date.
//
// better-sqlite3 is synchronous and the dialect (sqlite-dialect.ts) serialises every query on its one connection; a
// transaction holds that connection until it ends. So inside `transaction(db, (trx) => …)` use only `trx`: a query
// on the outer `db` would wait for the connection the transaction holds, forever.

import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { Kysely } from "kysely";
import type { Logger } from "winston";
import { createPrivateFile, PRIVATE_DIR_MODE } from "../private-files.js";
import { BACKSTOP_CHECKPOINT_PAGES, type Checkpointer, startCheckpointer } from "./checkpointer.js";
import { migrateToLatest } from "./migrate.js";
import type { Schema } from "./schema.js";
import { BetterSqliteDialect } from "./sqlite-dialect.js";

export interface Database {
  readonly db: Kysely<Schema>;
  /** The WAL checkpoint worker (none for an in-memory database). */
  readonly checkpointer: Checkpointer | undefined;
  /** Closes the file; safe to call more than once. */
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** How long a write waits for another process's lock before failing with SQLITE_BUSY. */
  readonly busyTimeoutMs?: number;
  /** How often the checkpoint worker copies the WAL into the database file (checkpointer.ts). */
  readonly checkpointIntervalMs?: number;
  readonly logger?: Logger;
}

/** Opens (creating the file and its directory if needed) and migrates the database at `path`. */
export async function openDatabase(path: string, options: OpenDatabaseOptions = {}): Promise<Database> {
  if (path !== ":memory:" && path !== "") {
    mkdirSync(dirname(path), { recursive: true, mode: PRIVATE_DIR_MODE });
    // sqlite gives the -wal and -shm files the database file's mode, so all three stay private.
    createPrivateFile(path);
  }
  const sqlite = new BetterSqlite3(path);
  // WAL lets readers (another process, `sqlite3` on the file) proceed during writes; NORMAL sync is durable
  // against process crashes in WAL mode. Foreign keys are off by default in sqlite and are what make deletes cascade.
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
  // Up to 32 MiB of pages in memory (the default is 2 MiB): the event path's tables and indexes outgrow 2 MiB after a
  // few thousand events, and reading their pages back from the OS cost ~15% of its throughput. Filled only as used.
  sqlite.pragma("cache_size = -32768");
  const inMemory = path === ":memory:" || path === "";
  if (!inMemory) {
    sqlite.pragma(`wal_autocheckpoint = ${BACKSTOP_CHECKPOINT_PAGES}`);
    // After a checkpoint has emptied it, the WAL file is cut back to this size rather than kept at its peak.
    sqlite.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
  }

  const db = new Kysely<Schema>({ dialect: new BetterSqliteDialect(sqlite) });
  try {
    await migrateToLatest(db);
  } catch (error) {
    await db.destroy();
    throw error;
  }

  const checkpointer = inMemory
    ? undefined
    : startCheckpointer(path, { intervalMs: options.checkpointIntervalMs ?? 100, logger: options.logger });
  let closing: Promise<void> | undefined;
  return {
    db,
    checkpointer,
    close() {
      closing ??= (async () => {
        await checkpointer?.stop();
        await db.destroy();
      })();
      return closing;
    },
  };
}
