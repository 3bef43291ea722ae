// A fresh, migrated database for each test, closed and removed after it: a sqlite file in a temp directory, or a
// database of its own on a Postgres cluster that this describe block starts (postgres-cluster.ts). Call at module or
// describe level; read `temp.database` / `temp.dir` inside tests (they change for every test).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { type Database, openDatabase } from "../src/storage/database.js";
import { openPostgresDatabase } from "../src/storage/postgres-database.js";
import type { StorageEngine } from "../src/storage/storage-engine.js";
import { findPostgresBinaries, type PostgresCluster, startPostgresCluster } from "./postgres-cluster.js";

export interface TempDatabase {
  readonly dir: string;
  readonly database: Database;
  /**
   * Postgres: the database opened again (another server's pool), closed after the test. sqlite: the same database, as
   * sqlite serves one server (a second connection in this process would fail its writes with SQLITE_BUSY).
   */
  openAnother(): Promise<Database>;
}

export function useTempDatabase(engine: StorageEngine = "sqlite"): TempDatabase {
  const state: { dir?: string; database?: Database; url?: string; cluster?: PostgresCluster } = {};
  let others: Database[] = [];
  if (engine === "postgres") usePostgresCluster(state);
  beforeEach(async () => {
    state.dir = mkdtempSync(join(tmpdir(), "gofer-storage-"));
    if (state.cluster) {
      state.url = await state.cluster.createDatabase();
      state.database = await openPostgresDatabase(state.url);
    } else {
      state.database = await openDatabase(join(state.dir, "gofer.db"));
    }
  });
  afterEach(async () => {
    await Promise.all(others.map((other) => other.close()));
    others = [];
    await state.database?.close();
    if (state.cluster && state.url) await state.cluster.dropDatabase(state.url);
    if (state.dir) rmSync(state.dir, { recursive: true, force: true });
  });
  return {
    get dir() {
      return state.dir as string;
    },
    get database() {
      return state.database as Database;
    },
    async openAnother() {
      if (!state.url) return state.database as Database;
      const other = await openPostgresDatabase(state.url);
      others.push(other);
      return other;
    },
  };
}

/** Starts a cluster before the describe block's tests and stops it after them. */
export function usePostgresCluster(state: { cluster?: PostgresCluster } = {}): { readonly cluster: PostgresCluster } {
  beforeAll(async () => {
    const binaries = findPostgresBinaries();
    if ("missing" in binaries) throw new Error(`Postgres is not installed: ${binaries.missing}`);
    state.cluster = await startPostgresCluster(binaries.binDir);
  });
  afterAll(async () => {
    await state.cluster?.stop();
  });
  return {
    get cluster() {
      return state.cluster as PostgresCluster;
    },
  };
}
