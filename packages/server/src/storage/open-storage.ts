// The database the server's config names: the sqlite file (the default, one server) or a Postgres database that
// several servers can share.
import type { Logger } from "winston";
import type { ServerConfig } from "../config/config.js";
import { type Database, openDatabase } from "./database.js";
import { openPostgresDatabase } from "./postgres-database.js";

export async function openStorage(
  server: Pick<ServerConfig, "storageEngine" | "storagePath" | "storageUrl">,
  options: { readonly logger?: Logger } = {},
): Promise<Database> {
  switch (server.storageEngine) {
    case "sqlite":
      return openDatabase(server.storagePath, options);
    case "postgres":
      // checkConfig refuses postgres without a URL; this only guards callers that build a config by hand.
      if (server.storageUrl === undefined) throw new Error("server.storage_engine = postgres needs server.storage_url");
      return openPostgresDatabase(server.storageUrl, options);
    default:
      return server.storageEngine satisfies never;
  }
}
