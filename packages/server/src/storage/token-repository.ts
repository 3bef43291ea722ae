// Tokens are stored by the sha256 hex of their secret only (spec §1.3); the secret itself is never kept.

import { type Insertable, type Kysely, type Selectable, sql } from "kysely";
import { fromJsonColumn, toJsonColumn } from "./json-column.js";
import { type Params, preparedQuery } from "./prepared-query.js";
import type { Schema, TokenKind, TokenRow, TokenTable } from "./schema.js";
import { storageEngineOf } from "./storage-engine.js";

/** @throws on a duplicate hash (isUniqueViolation). */
export async function insertToken(db: Kysely<Schema>, row: TokenRow): Promise<void> {
  await insertTokenQuery(db, encodeToken(row));
}

// Prepared: every run stores a token as it starts and deletes it as it completes (auth/run-tokens.ts).
const insertTokenQuery = preparedQuery((db, p: Params<Insertable<TokenTable>>) =>
  db.insertInto("tokens").values({
    hash: p.hash,
    kind: p.kind,
    namespaces: p.namespaces,
    metadata: p.metadata,
    created: p.created,
    expires: p.expires,
    disabled: p.disabled,
  }),
);

export async function getToken(db: Kysely<Schema>, hash: string): Promise<TokenRow | undefined> {
  const row = await db.selectFrom("tokens").selectAll().where("hash", "=", hash).executeTakeFirst();
  return row && decodeToken(row);
}

export interface ListTokensFilter {
  /** Only tokens that list this namespace. */
  readonly namespace?: string;
}

/** Oldest first. */
export async function listTokens(db: Kysely<Schema>, filter: ListTokensFilter = {}): Promise<TokenRow[]> {
  let query = db.selectFrom("tokens").selectAll();
  if (filter.namespace !== undefined) {
    const namespace = filter.namespace;
    // The elements of the JSON array, each in a column named `value`, in either dialect.
    const elements =
      storageEngineOf(db) === "postgres"
        ? sql<{ value: string }>`json_array_elements_text(tokens.namespaces::json)`
        : sql<{ value: string }>`json_each(tokens.namespaces)`;
    query = query.where(({ exists, selectFrom }) =>
      exists(selectFrom(elements.as("ns")).select(sql`1`.as("one")).where("ns.value", "=", namespace)),
    );
  }
  const rows = await query.orderBy("created").orderBy("hash").execute();
  return rows.map(decodeToken);
}

/** How many tokens exist, optionally of one kind (BootstrapToken works only while there is no management token). */
export async function countTokens(db: Kysely<Schema>, filter: { readonly kind?: TokenKind } = {}): Promise<number> {
  let query = db.selectFrom("tokens").select((eb) => eb.fn.countAll<number>().as("count"));
  if (filter.kind !== undefined) query = query.where("kind", "=", filter.kind);
  const { count } = await query.executeTakeFirstOrThrow();
  return Number(count);
}

/** @returns false when there is no such token. */
export async function updateTokenDisabled(db: Kysely<Schema>, hash: string, disabled: boolean): Promise<boolean> {
  const result = await db
    .updateTable("tokens")
    .set({ disabled: disabled ? 1 : 0 })
    .where("hash", "=", hash)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** @returns false when there was none. */
export async function deleteToken(db: Kysely<Schema>, hash: string): Promise<boolean> {
  const result = await deleteTokenQuery(db, { hash });
  return (result.numAffectedRows ?? 0n) > 0n;
}

const deleteTokenQuery = preparedQuery((db, p: Params<{ hash: string }>) =>
  db.deleteFrom("tokens").where("hash", "=", p.hash),
);

function encodeToken(row: TokenRow): Insertable<TokenTable> {
  return {
    hash: row.hash,
    kind: row.kind,
    namespaces: toJsonColumn(row.namespaces),
    metadata: toJsonColumn(row.metadata),
    created: row.created,
    expires: row.expires,
    disabled: row.disabled ? 1 : 0,
  };
}

function decodeToken(row: Selectable<TokenTable>): TokenRow {
  return {
    ...row,
    namespaces: fromJsonColumn(row.namespaces, "tokens.namespaces"),
    metadata: fromJsonColumn(row.metadata, "tokens.metadata"),
    disabled: row.disabled === 1,
  };
}
