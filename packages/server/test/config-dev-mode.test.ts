import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/load-config.js";

describe("dev mode", () => {
  it("bypasses auth, logs readably, uses localhost certs and keeps data under .gofer-dev", () => {
    const config = loadConfig({ flags: { dev: true } });
    expect(config.devMode).toBe(true);
    expect(config.development).toEqual({
      prettyLogging: true,
      bypassAuth: true,
      useLocalhostTls: true,
      defaultEncryption: true,
    });
    expect(config.server.storagePath).toBe(".gofer-dev/gofer.db");
    expect(config.objectStore.sqlite.path).toBe(".gofer-dev/gofer-object.db");
    expect(config.secretStore.sqlite.path).toBe(".gofer-dev/gofer-secret.db");
    expect(config.taskExecutionLogsDir).toBe(".gofer-dev/logs");
  });

  it("is turned on by GOFER_DEVMODE, the v0.4 env name", () => {
    expect(loadConfig({ env: { GOFER_DEVMODE: "1" } }).devMode).toBe(true);
    expect(loadConfig({ env: { GOFER_DEVMODE: "true" } }).development.bypassAuth).toBe(true);
  });

  it("keeps settings given explicitly", () => {
    const config = loadConfig({
      env: {
        GOFER_DEVMODE: "true",
        GOFER_SERVER_STORAGE_PATH: "/data/gofer.db",
        GOFER_DEVELOPMENT_BYPASS_AUTH: "false",
      },
    });
    expect(config.server.storagePath).toBe("/data/gofer.db");
    expect(config.development.bypassAuth).toBe(false);
    expect(config.development.prettyLogging).toBe(true);
  });

  it("can be turned off by a flag when env turns it on", () => {
    const config = loadConfig({
      env: { GOFER_DEVMODE: "true", GOFER_DEVELOPMENT_DEFAULT_ENCRYPTION: "true", GOFER_SERVER_USE_TLS: "false" },
      flags: { dev: false },
    });
    expect(config.devMode).toBe(false);
    expect(config.development.bypassAuth).toBe(false);
    expect(config.server.storagePath).toBe("/tmp/gofer.db");
  });
});
