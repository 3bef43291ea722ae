// Pending runs claimed by one server each. Claimants pick candidates without waiting on each other (Postgres:
// FOR NO KEY UPDATE SKIP LOCKED passes over runs another claimant is taking right now; sqlite runs one writer at a time),
// and a conditional upsert on run_claims decides: it takes a run only when no unexpired claim exists, judged on the
// latest committed row, so a run is never claimed twice even by claimants whose candidate lists overlap.
import type { Kysely } from "kysely";
import type { Schema } from "./schema.js";
import { storageEngineOf } from "./storage-engine.js";
import { transaction } from "./transaction.js";

export interface RunKey {
  readonly namespace_id: string;
  readonly pipeline_id: string;
  readonly run_id: number;
}

export interface ClaimRequest {
  readonly owner: string;
  readonly nowMs: number;
  /** How long the claim keeps others off the run; a claimant that dies lets its runs go after this. */
  readonly ttlMs: number;
  readonly limit: number;
}

/** Claims up to `limit` PENDING runs nobody holds, oldest first. @returns the runs this call claimed. */
export async function claimPendingRuns(db: Kysely<Schema>, request: ClaimRequest): Promise<RunKey[]> {
  const { owner, nowMs, ttlMs, limit } = request;
  return transaction(db, async (trx) => {
    let candidates = trx
      .selectFrom("runs as r")
      .select(["r.namespace_id", "r.pipeline_id", "r.id as run_id"])
      .where("r.state", "=", "PENDING")
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom("run_claims as c")
              .select("c.run_id")
              .whereRef("c.namespace_id", "=", "r.namespace_id")
              .whereRef("c.pipeline_id", "=", "r.pipeline_id")
              .whereRef("c.run_id", "=", "r.id")
              .where("c.expires", ">", nowMs),
          ),
        ),
      )
      .orderBy("r.started")
      .orderBy("r.namespace_id")
      .orderBy("r.pipeline_id")
      .orderBy("r.id")
      .limit(limit);
    if (storageEngineOf(trx) === "postgres") candidates = candidates.forNoKeyUpdate().skipLocked();
    const claimed: RunKey[] = [];
    for (const run of await candidates.execute()) {
      const won = await trx
        .insertInto("run_claims")
        .values({ ...run, owner, expires: nowMs + ttlMs })
        .onConflict((conflict) =>
          conflict
            .columns(["namespace_id", "pipeline_id", "run_id"])
            .doUpdateSet({ owner: (eb) => eb.ref("excluded.owner"), expires: (eb) => eb.ref("excluded.expires") })
            .where("run_claims.expires", "<=", nowMs),
        )
        .returning(["namespace_id", "pipeline_id", "run_id"])
        .executeTakeFirst();
      if (won) claimed.push(won);
    }
    return claimed;
  });
}

/** Lets the run go (started, or given back). @returns false when `owner` did not hold it. */
export async function releaseRunClaim(db: Kysely<Schema>, run: RunKey, owner: string): Promise<boolean> {
  const result = await db
    .deleteFrom("run_claims")
    .where("namespace_id", "=", run.namespace_id)
    .where("pipeline_id", "=", run.pipeline_id)
    .where("run_id", "=", run.run_id)
    .where("owner", "=", owner)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}
