// Trigger leases: each trigger is watched by one server at a time, the holder of its lease. Every operation is one
// statement that decides by itself who wins, so claimants racing on the same trigger (from any number of servers)
// never both hold it: the upsert's WHERE takes an existing lease only from its owner (a renewal) or once it has
// expired, and Postgres re-checks that WHERE on the latest committed row when two upserts meet.
//
// `nowMs` comes from the caller's clock: the servers' clocks must agree to well within the lease's length.
import { type Kysely, sql } from "kysely";
import type { TriggerLeaseRow } from "./replica-tables.js";
import type { Schema } from "./schema.js";
import { storageEngineOf } from "./storage-engine.js";

export interface LeaseRequest {
  readonly triggerName: string;
  readonly owner: string;
  readonly nowMs: number;
  readonly ttlMs: number;
}

/**
 * Takes the lease when nobody holds it (never held, released or expired), or extends it when `owner` holds it.
 * @returns the lease as now stored, or undefined when another owner holds it unexpired.
 */
export async function acquireTriggerLease(
  db: Kysely<Schema>,
  request: LeaseRequest,
): Promise<TriggerLeaseRow | undefined> {
  const { triggerName, owner, nowMs, ttlMs } = request;
  if (owner === "") throw new Error("a lease owner must not be empty");
  const sameOwner = sql<boolean>`trigger_leases.owner = excluded.owner`;
  return db
    .insertInto("trigger_leases")
    .values({ trigger_name: triggerName, owner, term: 1, acquired: nowMs, expires: nowMs + ttlMs })
    .onConflict((conflict) =>
      conflict
        .column("trigger_name")
        .doUpdateSet({
          owner: (eb) => eb.ref("excluded.owner"),
          expires: (eb) => eb.ref("excluded.expires"),
          acquired: sql<number>`case when ${sameOwner} then trigger_leases.acquired else excluded.acquired end`,
          term: sql<number>`case when ${sameOwner} then trigger_leases.term else trigger_leases.term + 1 end`,
        })
        .where((eb) => eb.or([sameOwner, eb("trigger_leases.expires", "<=", nowMs)])),
    )
    .returningAll()
    .executeTakeFirst();
}

/**
 * Extends the lease `owner` holds in `term`. @returns the renewed lease, or undefined when it was lost: taken by
 * another owner after it expired (the term moved on) or released.
 */
export async function renewTriggerLease(
  db: Kysely<Schema>,
  request: LeaseRequest & { readonly term: number },
): Promise<TriggerLeaseRow | undefined> {
  return db
    .updateTable("trigger_leases")
    .set({ expires: request.nowMs + request.ttlMs })
    .where("trigger_name", "=", request.triggerName)
    .where("owner", "=", request.owner)
    .where("term", "=", request.term)
    .returningAll()
    .executeTakeFirst();
}

/** Gives the lease up at once (a server stopping), so another takes the trigger without waiting for expiry. */
export async function releaseTriggerLease(
  db: Kysely<Schema>,
  lease: { readonly triggerName: string; readonly owner: string; readonly term: number },
): Promise<boolean> {
  const result = await db
    .updateTable("trigger_leases")
    .set({ owner: "", expires: 0 })
    .where("trigger_name", "=", lease.triggerName)
    .where("owner", "=", lease.owner)
    .where("term", "=", lease.term)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Every lease, by trigger name: who holds what, until when. */
export async function listTriggerLeases(db: Kysely<Schema>): Promise<TriggerLeaseRow[]> {
  return db.selectFrom("trigger_leases").selectAll().orderBy("trigger_name").execute();
}

/**
 * Which of `triggerNames` `owner` holds unexpired at `nowMs`, read in the caller's transaction. On Postgres the rows
 * read are locked FOR SHARE until that transaction ends, so a takeover (an update of the row) waits for it to commit;
 * one that got there first is seen, as the lock re-reads the row it waited for.
 */
export async function heldTriggerLeases(
  trx: Kysely<Schema>,
  request: { readonly owner: string; readonly nowMs: number; readonly triggerNames: readonly string[] },
): Promise<Set<string>> {
  if (request.triggerNames.length === 0) return new Set();
  let query = trx
    .selectFrom("trigger_leases")
    .select("trigger_name")
    .where("trigger_name", "in", [...request.triggerNames])
    .where("owner", "=", request.owner)
    .where("expires", ">", request.nowMs)
    // One order for every locker of several rows.
    .orderBy("trigger_name");
  if (storageEngineOf(trx) === "postgres") query = query.forShare();
  return new Set((await query.execute()).map((row) => row.trigger_name));
}
