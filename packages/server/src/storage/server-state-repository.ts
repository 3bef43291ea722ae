import type { Kysely } from "kysely";
import type { Schema } from "./schema.js";

export async function getServerState(db: Kysely<Schema>, key: string): Promise<string | undefined> {
  const row = await db.selectFrom("server_state").select("value").where("key", "=", key).executeTakeFirst();
  return row?.value;
}

export async function setServerState(db: Kysely<Schema>, key: string, value: string): Promise<void> {
  await db
    .insertInto("server_state")
    .values({ key, value })
    .onConflict((c) => c.column("key").doUpdateSet({ value }))
    .execute();
}
