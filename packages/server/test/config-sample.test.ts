import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CONFIG_KEYS, TABLE_PATHS } from "../src/config/config-keys.js";
import { loadConfig } from "../src/config/load-config.js";
import { SAMPLE_CONFIG } from "../src/config/sample-config.js";
import { PRODUCTION_ENV, useConfigDir } from "./config-fixtures.js";

const configDir = useConfigDir();

describe("the sample config written by `gofer service init-config`", () => {
  it("loads to exactly the defaults", () => {
    const path = join(configDir.dir, "gofer.toml");
    writeFileSync(path, SAMPLE_CONFIG);
    const warnings: string[] = [];
    const fromSample = loadConfig({ path, env: PRODUCTION_ENV, onWarning: (m) => warnings.push(m) });
    expect({ ...fromSample, configFilePath: undefined }).toEqual(loadConfig({ env: PRODUCTION_ENV }));
    expect(warnings).toEqual([]);
  });

  it("still gives dev mode its defaults when dev_mode is switched on in it", () => {
    const path = join(configDir.dir, "gofer.toml");
    writeFileSync(path, SAMPLE_CONFIG.replace("dev_mode = false", "dev_mode = true"));
    const config = loadConfig({ path });
    expect(config.development.bypassAuth).toBe(true);
    expect(config.server.storagePath).toBe(".gofer-dev/gofer.db");
  });

  it("mentions every setting by its whole dotted key (table path + key), shown or commented out", () => {
    const keys = sampleKeys(SAMPLE_CONFIG);
    const missing = CONFIG_KEYS.map((key) => key.key).filter((key) => !keys.has(key));
    expect(missing).toEqual([]);
  });

  it("mentions only settings and tables the server reads, by their canonical names", () => {
    const canonical = new Set<string>(CONFIG_KEYS.map((key) => key.key));
    const unknown = [...sampleKeys(SAMPLE_CONFIG)].filter((key) => !canonical.has(key) && !TABLE_PATHS.has(key));
    expect(unknown).toEqual([]);
  });

  it("notices a key dropped from its table even when a key of that name is left in another table", () => {
    const withoutTriggersTls = SAMPLE_CONFIG.replace(
      "use_tls = true               # trigger containers serve gRPC over TLS\n",
      "",
    );
    expect(withoutTriggersTls).not.toBe(SAMPLE_CONFIG);
    const keys = sampleKeys(withoutTriggersTls);
    expect(keys.has("triggers.use_tls")).toBe(false);
    expect(keys.has("server.use_tls")).toBe(true);
  });
});

/**
 * The dotted keys the sample mentions: each `[table]` header, and each `key = value` line (also when commented out,
 * as the settings whose default changes in dev mode are) prefixed with the table it sits in.
 */
function sampleKeys(text: string): Set<string> {
  const keys = new Set<string>();
  let table = "";
  for (const line of text.split("\n")) {
    const header = /^\[([a-z_.]+)\]/.exec(line);
    if (header?.[1]) {
      table = header[1];
      keys.add(table);
      continue;
    }
    const setting = /^(?:#\s*)?([a-z_]+)\s*=/.exec(line);
    if (setting?.[1]) keys.add(table === "" ? setting[1] : `${table}.${setting[1]}`);
  }
  return keys;
}
