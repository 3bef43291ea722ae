// Opens one of the stores' own sqlite files (the secret store and the object store each have one, apart from the main
// database, as in the original). The file is created 0600 before sqlite opens it: sqlite gives its WAL and shm files
// the database file's permissions, so nothing of a store is ever readable by other users.
import { chmodSync, closeSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import BetterSqlite3, { type Statement } from "better-sqlite3";

export type StoreDatabase = BetterSqlite3.Database;

export function openStoreFile(path: string): StoreDatabase {
  if (path !== ":memory:") {
    mkdirSync(dirname(path), { recursive: true });
    closeSync(openSync(path, "a", 0o600));
    // An existing file keeps the mode it had: tighten it.
    chmodSync(path, 0o600);
  }
  const sqlite = new BetterSqlite3(path);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("busy_timeout = 5000");
  return sqlite;
}

/** A store's statements, prepared once per SQL text: preparing costs more than running most of them. */
export class StatementCache {
  private readonly statements = new Map<string, Statement<unknown[]>>();

  constructor(private readonly sqlite: StoreDatabase) {}

  get(sql: string): Statement<unknown[]> {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.sqlite.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}
