// Runs claimed by one server each, just before it starts them. A claimant does not wait on another taking the same run
// (Postgres: FOR NO KEY UPDATE SKIP LOCKED on the run; sqlite runs one writer at a time), and a conditional upsert on
// run_claims decides: it takes a run only when no unexpired claim of another exists, judged on the latest committed
// row, so a run is never claimed twice.
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
}

/**
 * Claims one run for `owner`, the server about to start it. A PENDING run is taken when nobody else holds an unexpired
 * claim on it (one `owner` holds already is renewed). A RUNNING run (a restart repairing what it left) stays with the
 * server that claimed it when it started: it is `owner`'s only if `owner` holds its claim, or nobody ever claimed it.
 * @returns whether `owner` holds the run now.
 */
export async function claimRun(db: Kysely<Schema>, run: RunKey, request: ClaimRequest): Promise<boolean> {
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
