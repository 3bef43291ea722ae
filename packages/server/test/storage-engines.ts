// Runs a describe block once per storage engine, or on Postgres only. The Postgres variant needs Postgres installed
// (postgres-cluster.ts): without it the block is skipped with a name that says how to install it, except with
// CI=true, where it fails.
import { describe, it } from "vitest";
import type { StorageEngine } from "../src/storage/storage-engine.js";
import { findPostgresBinaries, POSTGRES_HINT } from "./postgres-cluster.js";

export function describeEachStorageEngine(title: string, body: (engine: StorageEngine) => void): void {
  describe(`${title} [sqlite]`, () => body("sqlite"));
  describePostgres(title, () => body("postgres"));
}

export function describePostgres(title: string, body: () => void): void {
  const binaries = findPostgresBinaries();
  if (!("missing" in binaries)) {
    describe(`${title} [postgres]`, body);
  } else if (process.env.CI === "true") {
    describe(`${title} [postgres]`, () => {
      it("needs Postgres, which CI must have", () => {
        throw new Error(`CI=true but Postgres is not installed (${binaries.missing}); ${POSTGRES_HINT}`);
      });
    });
  } else {
    console.warn(`Postgres variants of "${title}" are skipped: ${binaries.missing}; ${POSTGRES_HINT}`);
    describe.skip(`${title} [postgres]: skipped, ${binaries.missing}; ${POSTGRES_HINT}`, body);
  }
}
