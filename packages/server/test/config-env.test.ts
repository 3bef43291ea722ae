import { describe, expect, it } from "vitest";
import { CONFIG_KEYS } from "../src/config/config-keys.js";
import { CONFIG_ENV_VARS } from "../src/config/env.js";

describe("GOFER_* env names", () => {
  it("follow spec §2.11: GOFER_ plus the block and key, GOFER_DEVMODE for dev_mode", () => {
    const names = CONFIG_ENV_VARS.map((v) => v.name);
    expect(names).toEqual([
      "GOFER_CONFIG_PATH",
      "GOFER_DEVMODE",
      "GOFER_IGNORE_PIPELINE_RUN_EVENTS",
      "GOFER_RUN_PARALLELISM_LIMIT",
      "GOFER_EVENT_LOG_RETENTION",
      "GOFER_EVENT_PRUNE_INTERVAL",
      "GOFER_LOG_LEVEL",
      "GOFER_TASK_EXECUTION_LOGS_DIR",
      "GOFER_TASK_EXECUTION_LOG_EXPIRY",
      "GOFER_TASK_EXECUTION_STOP_TIMEOUT",
      "GOFER_SERVER_HOST",
      "GOFER_SERVER_SHUTDOWN_TIMEOUT",
      "GOFER_SERVER_STORAGE_ENGINE",
      "GOFER_SERVER_STORAGE_PATH",
      "GOFER_SERVER_STORAGE_URL",
      "GOFER_SERVER_REPLICA_LEASE",
      "GOFER_SERVER_STORAGE_RESULTS_LIMIT",
      "GOFER_SERVER_TLS_CERT_PATH",
      "GOFER_SERVER_TLS_KEY_PATH",
      "GOFER_SERVER_USE_TLS",
      "GOFER_SERVER_EXTENSION_ADDRESS",
      "GOFER_TRIGGERS_INSTALL_BASE_TRIGGERS",
      "GOFER_TRIGGERS_STOP_TIMEOUT",
      "GOFER_TRIGGERS_TLS_CERT_PATH",
      "GOFER_TRIGGERS_TLS_KEY_PATH",
      "GOFER_TRIGGERS_USE_TLS",
      "GOFER_TRIGGERS_IMAGE_MAP",
      "GOFER_TRIGGERS_READINESS_ATTEMPTS",
      "GOFER_TRIGGERS_READINESS_DELAY",
      "GOFER_TRIGGERS_LIVENESS_INTERVAL",
      "GOFER_TRIGGERS_LIVENESS_TIMEOUT",
      "GOFER_TRIGGERS_LIVENESS_MISSES",
      "GOFER_SCHEDULER_ENGINE",
      "GOFER_SCHEDULER_DOCKER_PRUNE",
      "GOFER_SCHEDULER_DOCKER_PRUNE_INTERVAL",
      "GOFER_SCHEDULER_DOCKER_NETWORK",
      "GOFER_EXTERNAL_EVENTS_API_ENABLE",
      "GOFER_EXTERNAL_EVENTS_API_HOST",
      "GOFER_EXTERNAL_EVENTS_API_USE_TLS",
      "GOFER_EXTERNAL_EVENTS_API_MAX_BODY_SIZE",
      "GOFER_EXTERNAL_EVENTS_API_MAX_CONCURRENT_PER_TRIGGER",
      "GOFER_EXTERNAL_EVENTS_API_MAX_WAITING_PER_TRIGGER",
      "GOFER_OBJECT_STORE_ENGINE",
      "GOFER_OBJECT_STORE_PIPELINE_OBJECT_LIMIT",
      "GOFER_OBJECT_STORE_RUN_OBJECT_EXPIRY",
      "GOFER_OBJECT_STORE_SQLITE_PATH",
      "GOFER_OBJECT_STORE_MAX_OBJECT_BYTES",
      "GOFER_SECRET_STORE_ENGINE",
      "GOFER_SECRET_STORE_SQLITE_PATH",
      "GOFER_SECRET_STORE_SQLITE_ENCRYPTION_KEY",
      "GOFER_DEVELOPMENT_PRETTY_LOGGING",
      "GOFER_DEVELOPMENT_BYPASS_AUTH",
      "GOFER_DEVELOPMENT_USE_LOCALHOST_TLS",
      "GOFER_DEVELOPMENT_DEFAULT_ENCRYPTION",
    ]);
  });

  it("also accept v0.4 and v0.5 spellings", () => {
    const aliases = (name: string) => CONFIG_ENV_VARS.find((v) => v.name === name)?.aliases;
    expect(aliases("GOFER_TASK_EXECUTION_LOGS_DIR")).toEqual(["GOFER_TASK_RUN_LOGS_DIR"]);
    expect(aliases("GOFER_TRIGGERS_STOP_TIMEOUT")).toEqual(["GOFER_EXTENSIONS_STOP_TIMEOUT"]);
    expect(aliases("GOFER_TRIGGERS_INSTALL_BASE_TRIGGERS")).toContain("GOFER_EXTENSIONS_INSTALL_STD_EXTENSIONS");
    expect(aliases("GOFER_EXTERNAL_EVENTS_API_HOST")).toContain("GOFER_EXTERNAL_EVENTS_BIND_ADDRESS");
  });

  it("never give two settings the same name", () => {
    const all = CONFIG_KEYS.flatMap((key) => key.envNames);
    expect(new Set(all).size).toBe(all.length);
  });

  it("come with a description and the default for printenv", () => {
    const stopTimeout = CONFIG_ENV_VARS.find((v) => v.name === "GOFER_TRIGGERS_STOP_TIMEOUT");
    expect(stopTimeout).toMatchObject({ key: "triggers.stop_timeout", defaultValue: "5m" });
    for (const v of CONFIG_ENV_VARS) expect(v.description).not.toBe("");
  });
});
