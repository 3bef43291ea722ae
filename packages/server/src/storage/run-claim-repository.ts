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

/**
 * Claims one run for `owner`, the server about to start it. A PENDING run is taken when nobody else holds an unexpired
 * claim on it (one `owner` holds already is renewed). A RUNNING run (a restart repairing what it left) stays with the
 * server that claimed it when it started: it is `owner`'s only if `owner` holds its claim, or nobody ever claimed it.
 * @returns whether `owner` holds the run now.
 */
export async function claimRun(
  db: Kysely<Schema>,
  run: RunKey,
  request: Omit<ClaimRequest, "limit">,
): Promise<boolean> {
  const { owner, nowMs, ttlMs } = request;
  return transaction(db, async (trx) => {
    let found = trx
      .selectFrom("runs")
      .select("state")
      .where("namespace_id", "=", run.namespace_id)
      .where("pipeline_id", "=", run.pipeline_id)
      .where("id", "=", run.run_id);
    // Another claimant taking this run right now has it locked: it wins, this one does not wait.
    if (storageEngineOf(trx) === "postgres") found = found.forNoKeyUpdate().skipLocked();
    const state = (await found.executeTakeFirst())?.state;
    if (state === "RUNNING") {
      const claim = await trx
        .selectFrom("run_claims")
        .select("owner")
        .where("namespace_id", "=", run.namespace_id)
        .where("pipeline_id", "=", run.pipeline_id)
        .where("run_id", "=", run.run_id)
        .executeTakeFirst();
      return claim === undefined || claim.owner === owner;
    }
    if (state !== "PENDING") return false;
    const won = await trx
      .insertInto("run_claims")
      .values({ ...run, owner, expires: nowMs + ttlMs })
      .onConflict((conflict) =>
        conflict
          .columns(["namespace_id", "pipeline_id", "run_id"])
          .doUpdateSet({ owner: (eb) => eb.ref("excluded.owner"), expires: (eb) => eb.ref("excluded.expires") })
          .where((eb) => eb.or([eb("run_claims.expires", "<=", nowMs), eb("run_claims.owner", "=", owner)])),
      )
      .returning("run_id")
      .executeTakeFirst();
    return won !== undefined;
  });
}

/**
 * Forgets claims no longer needed: of runs that completed or are gone, and expired ones of runs still PENDING (their
 * claimant died before starting them). A RUNNING run keeps its claim: it names the server that executes it.
 * @returns how many.
 */
export async function deleteSpentRunClaims(db: Kysely<Schema>, nowMs: number): Promise<number> {
  const result = await db
    .deleteFrom("run_claims as c")
    .where(({ not, exists, selectFrom, or, eb }) =>
      or([
        not(
          exists(
            selectFrom("runs as r")
              .select("r.id")
              .whereRef("r.namespace_id", "=", "c.namespace_id")
              .whereRef("r.pipeline_id", "=", "c.pipeline_id")
              .whereRef("r.id", "=", "c.run_id")
              .where("r.state", "<>", "COMPLETE"),
          ),
        ),
        eb.and([
          eb("c.expires", "<=", nowMs),
          exists(
            selectFrom("runs as r")
              .select("r.id")
              .whereRef("r.namespace_id", "=", "c.namespace_id")
              .whereRef("r.pipeline_id", "=", "c.pipeline_id")
              .whereRef("r.id", "=", "c.run_id")
              .where("r.state", "=", "PENDING"),
          ),
        ]),
      ]),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
