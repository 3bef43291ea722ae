// A fresh, migrated sqlite file in a temp directory for each test, closed and removed after it. Call at module or
// describe level; read `temp.database` / `temp.dir` inside tests (they change for every test).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach } from "vitest";
import { type Database, openDatabase } from "../src/storage/database.js";

export interface TempDatabase {
  readonly dir: string;
  readonly database: Database;
}

export function useTempDatabase(): TempDatabase {
  const state: { dir?: string; database?: Database } = {};
  beforeEach(async () => {
    state.dir = mkdtempSync(join(tmpdir(), "gofer-storage-"));
    state.database = await openDatabase(join(state.dir, "gofer.db"));
  });
  afterEach(async () => {
    await state.database?.close();
    if (state.dir) rmSync(state.dir, { recursive: true, force: true });
  });
  return {
    get dir() {
      return state.dir as string;
    },
    get database() {
      return state.database as Database;
    },
  };
}
