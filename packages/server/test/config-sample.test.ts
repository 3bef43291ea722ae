import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CONFIG_KEYS } from "../src/config/config-keys.js";
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

  it("mentions every setting", () => {
    const missing = CONFIG_KEYS.map((key) => key.key.slice(key.key.lastIndexOf(".") + 1)).filter(
      (name) => !SAMPLE_CONFIG.includes(name),
    );
    expect(missing).toEqual([]);
  });
});
