import { checkStorageConfig } from "./check-storage-config.js";
import type { Config } from "./config.js";
import { type ConfigKeyName, findConfigKey } from "./config-keys.js";
import { describeOrigin } from "./config-origin.js";
import { type ConfigSetting, describeSetting } from "./config-value.js";
import { DEFAULT_ENCRYPTION_KEY } from "./defaults.js";

/** Rules that involve more than one key, or a value's meaning rather than its type. */
export function checkConfig(config: Config, settings: ReadonlyMap<ConfigKeyName, ConfigSetting>): string[] {
  const problems: string[] = [];
  const describe = (key: ConfigKeyName) => {
    const s = settings.get(key)!;
    return describeSetting(s.written, s.raw, s.origin, findConfigKey(key)?.secret ?? false);
  };

  const encryptionKey = config.secretStore.sqlite.encryptionKey;
  if (encryptionKey.length !== 32) {
    problems.push(
      `${describe("secret_store.sqlite.encryption_key")}: must be exactly 32 characters long (got ${encryptionKey.length})`,
    );
  } else if (encryptionKey === DEFAULT_ENCRYPTION_KEY && !config.devMode && !config.development.defaultEncryption) {
    const { written, origin } = settings.get("secret_store.sqlite.encryption_key")!;
    problems.push(
      `${written} (from ${describeOrigin(origin)}) is the well-known default key; ` +
        "set a unique 32-character key, or turn on dev mode or development.default_encryption",
    );
  }

  for (const block of ["server", "triggers"] as const) {
    const cert = `${block}.tls_cert_path` as const;
    const key = `${block}.tls_key_path` as const;
    const hasCert = config[block].tlsCertPath !== undefined;
    const hasKey = config[block].tlsKeyPath !== undefined;
    if (hasCert && !hasKey) problems.push(`${describe(cert)} but ${key} is not set; set both or neither`);
    if (hasKey && !hasCert) problems.push(`${describe(key)} but ${cert} is not set; set both or neither`);
  }

  problems.push(...checkStorageConfig(config.server, settings));

  const { server } = config;
  if (server.useTls && !config.development.useLocalhostTls && !server.tlsCertPath && !server.tlsKeyPath) {
    problems.push(
      `${describe("server.use_tls")} but server.tls_cert_path and server.tls_key_path are not set; ` +
        "set both, set server.use_tls = false, or turn on dev mode or development.use_localhost_tls",
    );
  }
  return problems;
}
