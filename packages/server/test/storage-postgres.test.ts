// What only Postgres has: several servers (connection pools) on one database, migrations racing at first start, the
// URL's password kept out of errors, no checkpointer.
import { sql } from "kysely";
import { afterEach, expect, it } from "vitest";
import type { Database } from "../src/storage/database.js";
import { migrateToLatest } from "../src/storage/migrate.js";
import { insertNamespace } from "../src/storage/namespace-repository.js";
import { replacePipeline } from "../src/storage/pipeline-repository.js";
import { openPostgresDatabase } from "../src/storage/postgres-database.js";
import { insertRun } from "../src/storage/run-repository.js";
import { describePostgres } from "./storage-engines.js";
import { newRunRow, pipelineRow } from "./storage-fixtures.js";
import { usePostgresCluster } from "./temp-database.js";

const MIGRATIONS = [
  "2026-11-21-initial-schema",
  "2026-11-22-server-state",
  "2026-12-02-common-tasks",
  "2026-12-02-event-outcome-counts",
  "2026-12-03-replica-leases",
];

describePostgres("Postgres storage", () => {
  const postgres = usePostgresCluster();
  const opened: Database[] = [];
  const open = async (url: string) => {
    const database = await openPostgresDatabase(url);
    opened.push(database);
    return database;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((database) => database.close()));
  });

  it("migrates an empty database once when three servers start on it at the same time", async () => {
    const url = await postgres.cluster.createDatabase({ empty: true });
    const servers = await Promise.all([open(url), open(url), open(url)]);
    const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(servers[0].db);
    expect(applied.rows.map((r) => r.name)).toEqual(MIGRATIONS);
    expect(await migrateToLatest(servers[1].db)).toEqual([]);
    expect(servers.map((server) => server.checkpointer)).toEqual([undefined, undefined, undefined]);
  });

  it("numbers runs 1, 2, 3… per pipeline when three servers insert at once", async () => {
    const url = await postgres.cluster.createDatabase();
    const servers = await Promise.all([open(url), open(url), open(url)]);
    await insertNamespace(servers[0].db, { id: "default", name: "", description: "", created: 1, modified: 1 });
    for (const id of ["alpha", "beta"]) {
      await replacePipeline(servers[0].db, { pipeline: pipelineRow("default", id), tasks: [], subscriptions: [] });
    }
    const newRun = (pipelineId: string) => newRunRow("default", pipelineId, { started: 1_764_000_000_000 });
    const runs = await Promise.all(
      Array.from({ length: 90 }, (_, i) => insertRun(servers[i % 3]!.db, newRun(i % 2 === 0 ? "alpha" : "beta"))),
    );
    const idsOf = (pipelineId: string) =>
      runs
        .filter((run) => run.pipeline_id === pipelineId)
        .map((run) => run.id)
        .sort((a, b) => a - b);
    expect(idsOf("alpha")).toEqual(Array.from({ length: 45 }, (_, i) => i + 1));
    expect(idsOf("beta")).toEqual(Array.from({ length: 45 }, (_, i) => i + 1));
    expect(runs.every((run) => run.started === 1_764_000_000_000)).toBe(true);
  });

  it("keeps the password of the URL out of the error when it cannot connect", async () => {
    const url = new URL(await postgres.cluster.createDatabase());
    url.password = "s3cret-pass";
    url.port = "1"; // nothing listens there
    const error = await openPostgresDatabase(url.toString()).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain("postgres://gofer:redacted@127.0.0.1:1/");
    expect((error as Error).message).not.toContain("s3cret-pass");
  });
});
