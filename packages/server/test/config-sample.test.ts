import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CONFIG_KEYS } from "../src/config/config-keys.js";
import { loadConfig } from "../src/config/load-config.js";
import { SAMPLE_CONFIG } from "../src/config/sample-config.js";

const PRODUCTION_ENV = {
  GOFER_SERVER_TLS_CERT_PATH: "/etc/gofer/server.crt",
  GOFER_SERVER_TLS_KEY_PATH: "/etc/gofer/server.key",
  GOFER_SECRET_STORE_SQLITE_ENCRYPTION_KEY: "0123456789abcdef0123456789abcdef",
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "gofer-config-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("the sample config written by `gofer service init-config`", () => {
  it("loads to exactly the defaults", () => {
    const path = join(dir, "gofer.toml");
    writeFileSync(path, SAMPLE_CONFIG);
    const warnings: string[] = [];
    const fromSample = loadConfig({ path, env: PRODUCTION_ENV, onWarning: (m) => warnings.push(m) });
    expect({ ...fromSample, configFilePath: undefined }).toEqual(loadConfig({ env: PRODUCTION_ENV }));
    expect(warnings).toEqual([]);
  });

  it("still gives dev mode its defaults when dev_mode is switched on in it", () => {
    const path = join(dir, "gofer.toml");
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
