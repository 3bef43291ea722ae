// server.storage_engine and server.storage_url together. The URL holds a password, and a value that is not a Postgres
// URL may hold it anywhere ("gofer:pass@db" parses as scheme "gofer:"), so messages name the scheme, never the value.
import type { ServerConfig } from "./config.js";
import type { ConfigKeyName } from "./config-keys.js";
import { describeOrigin } from "./config-origin.js";
import type { ConfigSetting } from "./config-value.js";

/** The URL schemes pg accepts for a connection string (config sits below storage, so the rule lives here). */
const POSTGRES_URL_SCHEMES: readonly string[] = ["postgres:", "postgresql:"];

const URL_SHAPE = "expected postgres://user:password@host:5432/database";

export function checkStorageConfig(
  server: ServerConfig,
  settings: ReadonlyMap<ConfigKeyName, ConfigSetting>,
): string[] {
  const engine = settings.get("server.storage_engine");
  const url = settings.get("server.storage_url");
  const from = (setting: ConfigSetting) => `(from ${describeOrigin(setting.origin)})`;
  if (server.storageEngine !== "postgres") return [];
  const engineText = engine ? `${engine.written} = "postgres" ${from(engine)}` : 'server.storage_engine = "postgres"';
  if (server.storageUrl === undefined || url === undefined) {
    return [`${engineText} but server.storage_url is not set (env GOFER_SERVER_STORAGE_URL); ${URL_SHAPE}`];
  }
  let scheme: string;
  try {
    scheme = new URL(server.storageUrl).protocol;
  } catch {
    return [`${url.written} ${from(url)} is not a URL; ${URL_SHAPE}`];
  }
  if (!POSTGRES_URL_SCHEMES.includes(scheme)) {
    return [`${url.written} ${from(url)} has scheme "${scheme}", not a Postgres one; ${URL_SHAPE}`];
  }
  return [];
}
