import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/load-config.js";
import { PRODUCTION_ENV, useConfigDir } from "./config-fixtures.js";

// Enough for a non-dev config to pass validation; the values are never read from disk by loadConfig.
const configDir = useConfigDir();
const writeConfig = (text: string, name?: string) => configDir.write(text, name);

describe("loadConfig precedence", () => {
  it("uses the defaults when nothing is configured", () => {
    const config = loadConfig({ env: PRODUCTION_ENV });
    expect(config.runParallelismLimit).toBe(200);
    expect(config.eventLogRetentionMs).toBe(4380 * 3600_000);
    expect(config.eventPruneIntervalMs).toBe(3 * 3600_000);
    expect(config.logLevel).toBe("info");
    expect(config.taskExecutionStopTimeoutMs).toBe(300_000);
    expect(config.server).toEqual({
      host: "localhost:8080",
      shutdownTimeoutMs: 15_000,
      storageEngine: "sqlite",
      storagePath: "/tmp/gofer.db",
      storageUrl: undefined,
      replicaLeaseMs: 6_000,
      storageResultsLimit: 200,
      tlsCertPath: "/etc/gofer/server.crt",
      tlsKeyPath: "/etc/gofer/server.key",
      useTls: true,
      extensionAddress: undefined,
    });
    expect(config.triggers).toEqual({
      installBaseTriggers: true,
      stopTimeoutMs: 300_000,
      tlsCertPath: undefined,
      tlsKeyPath: undefined,
      useTls: true,
      imageMap: {},
      readinessAttempts: 30,
      readinessDelayMs: 300,
      livenessIntervalMs: 2_000,
      livenessTimeoutMs: 2_000,
      livenessMisses: 3,
    });
    expect(config.scheduler).toEqual({
      engine: "docker",
      docker: { prune: false, pruneIntervalMs: 24 * 3600_000, network: "bridge" },
    });
    expect(config.externalEventsApi).toEqual({
      enable: true,
      host: "localhost:8081",
      useTls: true,
      maxBodyBytes: 26_214_400,
      maxConcurrentPerTrigger: 8,
      maxWaitingPerTrigger: 256,
    });
    expect(config.configFilePath).toBeUndefined();
  });

  it("flags beat env, env beats the file, and the file beats the defaults", () => {
    const path = writeConfig(`
      log_level = "warn"
      run_parallelism_limit = 5
      [server]
      host = "file:1"
      shutdown_timeout = "20s"
      storage_results_limit = 10
    `);
    const config = loadConfig({
      path,
      env: { ...PRODUCTION_ENV, GOFER_SERVER_HOST: "env:2", GOFER_SERVER_SHUTDOWN_TIMEOUT: "30s" },
      flags: { "server.host": "flag:3" },
    });
    expect(config.server.host).toBe("flag:3");
    expect(config.server.shutdownTimeoutMs).toBe(30_000);
    expect(config.server.storageResultsLimit).toBe(10);
    expect(config.logLevel).toBe("warn");
    expect(config.runParallelismLimit).toBe(5);
    expect(config.triggers.readinessAttempts).toBe(30);
    expect(config.configFilePath).toBe(path);
  });

  it("reads the file named by GOFER_CONFIG_PATH, but --config wins", () => {
    const envFile = writeConfig('log_level = "debug"');
    const flagFile = join(configDir.dir, "flag.toml");
    writeFileSync(flagFile, 'log_level = "error"');
    expect(loadConfig({ env: { ...PRODUCTION_ENV, GOFER_CONFIG_PATH: envFile } }).logLevel).toBe("debug");
    expect(loadConfig({ path: flagFile, env: { ...PRODUCTION_ENV, GOFER_CONFIG_PATH: envFile } }).logLevel).toBe(
      "error",
    );
  });

  it("takes durations as Go duration strings or integer seconds, in the file and in env", () => {
    const path = writeConfig(`
      task_execution_stop_timeout = "1m30s"
      event_prune_interval = 604800
      [triggers]
      stop_timeout = 300
      readiness_delay = "1.5s"
    `);
    const config = loadConfig({
      path,
      env: { ...PRODUCTION_ENV, GOFER_SERVER_SHUTDOWN_TIMEOUT: "45", GOFER_SCHEDULER_DOCKER_PRUNE_INTERVAL: "2h" },
    });
    expect(config.taskExecutionStopTimeoutMs).toBe(90_000);
    expect(config.eventPruneIntervalMs).toBe(604_800_000);
    expect(config.triggers.stopTimeoutMs).toBe(300_000);
    expect(config.triggers.readinessDelayMs).toBe(1500);
    expect(config.server.shutdownTimeoutMs).toBe(45_000);
    expect(config.scheduler.docker.pruneIntervalMs).toBe(7_200_000);
  });

  it("reads booleans from env as true/false/1/0", () => {
    const on = loadConfig({
      env: { ...PRODUCTION_ENV, GOFER_SCHEDULER_DOCKER_PRUNE: "1", GOFER_EXTERNAL_EVENTS_API_ENABLE: "FALSE" },
    });
    expect(on.scheduler.docker.prune).toBe(true);
    expect(on.externalEventsApi.enable).toBe(false);
    const off = loadConfig({
      env: { ...PRODUCTION_ENV, GOFER_SCHEDULER_DOCKER_PRUNE: "0", GOFER_EXTERNAL_EVENTS_API_ENABLE: "true" },
    });
    expect(off.scheduler.docker.prune).toBe(false);
    expect(off.externalEventsApi.enable).toBe(true);
  });

  it("treats an empty env variable as unset", () => {
    expect(loadConfig({ env: { ...PRODUCTION_ENV, GOFER_LOG_LEVEL: "" } }).logLevel).toBe("info");
  });

  it("accepts [extensions] as the [triggers] block and its v0.5 key names", () => {
    const path = writeConfig(`
      [extensions]
      install_std_extensions = false
      stop_timeout = 60
      use_tls = false
    `);
    const config = loadConfig({ path, env: PRODUCTION_ENV });
    expect(config.triggers.installBaseTriggers).toBe(false);
    expect(config.triggers.stopTimeoutMs).toBe(60_000);
    expect(config.triggers.useTls).toBe(false);
  });

  it("accepts [triggers] and [extensions] together when they agree", () => {
    const path = writeConfig(`
      [triggers]
      stop_timeout = "5m"
      [extensions]
      stop_timeout = 300
    `);
    expect(loadConfig({ path, env: PRODUCTION_ENV }).triggers.stopTimeoutMs).toBe(300_000);
  });

  it("accepts top-level keys in an [api] table and v0.4's task_run_* names", () => {
    const path = writeConfig(`
      task_run_logs_dir = "/var/log/gofer"
      task_run_stop_timeout = "10s"
      [api]
      run_parallelism_limit = 0
      task_execution_log_retention = 7
    `);
    const config = loadConfig({ path, env: { ...PRODUCTION_ENV, GOFER_TASK_RUN_LOG_EXPIRY: "9" } });
    expect(config.runParallelismLimit).toBe(0);
    expect(config.taskExecutionLogsDir).toBe("/var/log/gofer");
    expect(config.taskExecutionStopTimeoutMs).toBe(10_000);
    expect(config.taskExecutionLogExpiry).toBe(9);
  });

  it("reads the process engine's image map from the file or, as JSON, from env", () => {
    const path = writeConfig(`
      [scheduler]
      engine = "process"
      [triggers.image_map]
      "example/interval:latest" = "node /opt/interval.js server"
      "example/cron:latest" = ["node", "/opt/my cron.js"]
    `);
    const config = loadConfig({ path, env: PRODUCTION_ENV });
    expect(config.scheduler.engine).toBe("process");
    expect(config.triggers.imageMap).toEqual({
      "example/interval:latest": ["node", "/opt/interval.js", "server"],
      "example/cron:latest": ["node", "/opt/my cron.js"],
    });
    const fromEnv = loadConfig({
      path,
      env: { ...PRODUCTION_ENV, GOFER_TRIGGERS_IMAGE_MAP: '{"a:1": "bin/a --serve"}' },
    });
    expect(fromEnv.triggers.imageMap).toEqual({ "a:1": ["bin/a", "--serve"] });
  });

  it("returns a deeply frozen config", () => {
    const config = loadConfig({ env: PRODUCTION_ENV });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.server)).toBe(true);
    expect(Object.isFrozen(config.triggers.imageMap)).toBe(true);
    expect(Object.isFrozen(config.secretStore.sqlite)).toBe(true);
  });
});

describe("the seed configuration reference's examples", () => {
  // Copied from the "Example" sections of the configuration reference (seed 002), block by block.
  const examples = {
    api: `
[api]
ignore_pipeline_run_events = false
run_parallelism_limit = 200
pipeline_version_retention = 10
event_log_retention = 15768000     # 6 months
event_prune_interval = 604800      # 1 week
log_level = "info"
task_execution_log_retention = 50  # total runs
task_execution_logs_dir = "/tmp"
task_execution_stop_timeout = 300  # 5 mins
admin_key = "test"
`,
    development: `
[development]
pretty_logging = true     # Tells the logging package to use human readable output.
bypass_auth = true        # Turns off auth.
use_included_certs = true # Automatically loads localhost certs for development.
`,
    externalEvents: `
[external_events]
enable = true
bind_address = "0.0.0.0:8081"
use_tls = false
`,
    objectStore: `
[object_store]
engine = "sqlite"
pipeline_object_limit = 50
run_object_expiry = 50

[object_store.sqlite]
path = "/tmp/gofer_objects.db"
`,
    secretStore: `
[secret_store]
engine = "sqlite"

[secret_store.sqlite]
path = "/tmp/gofer_secrets.db"
encryption_key = "changemechangemechangemechangeme"
`,
    scheduler: `
[scheduler]
engine = "docker"

[scheduler.docker]
prune = true
prune_interval = 604800
timeout = 300           # Should be the same or more than the task_execution_stop_timeout
`,
    server: `
[server]
url = "http://localhost:8080"
bind_address = "0.0.0.0:8080"
extension_address = "172.17.0.1:8080"
shutdown_timeout = 15
storage_path = "/tmp/gofer.db"
storage_results_limit = 200
use_tls = false
`,
    extensions: `
[extensions]
install_std_extensions = true
stop_timeout = 300            # 5 mins
use_tls = false
`,
  };

  it("loads all of them together, warning about the keys that have no effect here", () => {
    const path = writeConfig(Object.values(examples).join("\n"));
    const warnings: string[] = [];
    // The secret store example uses the default key, which only dev mode or default_encryption allows.
    const config = loadConfig({
      path,
      env: { GOFER_DEVELOPMENT_DEFAULT_ENCRYPTION: "true" },
      onWarning: (m) => warnings.push(m),
    });
    expect(config.eventLogRetentionMs).toBe(15_768_000_000);
    expect(config.eventPruneIntervalMs).toBe(604_800_000);
    expect(config.taskExecutionLogExpiry).toBe(50);
    expect(config.taskExecutionStopTimeoutMs).toBe(300_000);
    expect(config.development).toEqual({
      prettyLogging: true,
      bypassAuth: true,
      useLocalhostTls: true,
      defaultEncryption: true,
    });
    expect(config.externalEventsApi).toMatchObject({ enable: true, host: "0.0.0.0:8081", useTls: false });
    expect(config.objectStore).toEqual({
      engine: "sqlite",
      pipelineObjectLimit: 50,
      runObjectExpiry: 50,
      maxObjectBytes: 10 * 1024 * 1024,
      sqlite: { path: "/tmp/gofer_objects.db" },
    });
    expect(config.secretStore.sqlite.path).toBe("/tmp/gofer_secrets.db");
    expect(config.scheduler.docker).toEqual({ prune: true, pruneIntervalMs: 604_800_000, network: "bridge" });
    expect(config.server.host).toBe("0.0.0.0:8080");
    expect(config.server.extensionAddress).toBe("172.17.0.1:8080");
    expect(config.server.shutdownTimeoutMs).toBe(15_000);
    expect(config.server.useTls).toBe(false);
    expect(config.triggers.installBaseTriggers).toBe(true);
    expect(config.triggers.useTls).toBe(false);
    expect(warnings).toEqual([
      `api.pipeline_version_retention (from file ${path}) has no effect: pipeline versions are not kept`,
      `api.admin_key (from file ${path}) has no effect: tokens come from \`gofer service tokens bootstrap\``,
      `scheduler.docker.timeout (from file ${path}) has no effect: task_execution_stop_timeout decides how long containers get to stop`,
      `server.url (from file ${path}) has no effect: clients are configured on their side`,
    ]);
  });
});
