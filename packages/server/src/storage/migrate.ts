// Migrations live in code (no directory scanning), so a bundled server carries them. Names start with a date;
// kysely applies them in name order and records each in kysely_migration, so running this again is a no-op.

import { type Kysely, type Migration, type MigrationProvider, Migrator } from "kysely";
import * as initialSchema from "./migrations/2026-11-21-initial-schema.js";
import * as serverState from "./migrations/2026-11-22-server-state.js";
import * as commonTasks from "./migrations/2026-12-02-common-tasks.js";
import * as eventOutcomeCounts from "./migrations/2026-12-02-event-outcome-counts.js";
import * as replicaLeases from "./migrations/2026-12-03-replica-leases.js";
import type { Schema } from "./schema.js";

const MIGRATIONS: Readonly<Record<string, Migration>> = {
  "2026-11-21-initial-schema": initialSchema,
  "2026-11-22-server-state": serverState,
  "2026-12-02-common-tasks": commonTasks,
  "2026-12-02-event-outcome-counts": eventOutcomeCounts,
  "2026-12-03-replica-leases": replicaLeases,
};

const inCodeMigrations: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};

/** Applies every pending migration; returns the names applied (empty when already current). */
export async function migrateToLatest(db: Kysely<Schema>): Promise<readonly string[]> {
  const migrator = new Migrator({ db, provider: inCodeMigrations });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results.find((result) => result.status === "Error")?.migrationName ?? "(before any migration ran)";
    throw new Error(`database migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  return results.filter((result) => result.status === "Success").map((result) => result.migrationName);
}
