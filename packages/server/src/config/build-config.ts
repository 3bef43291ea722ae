// The typed Config from the merged settings. Every key's value was parsed by its kind already, so this only
// places values; expectType catches the key table and this function drifting apart.

import type { Config, DockerNetwork, LogLevel, SchedulerEngine, StorageEngineName } from "./config.js";
import type { ConfigKeyName } from "./config-keys.js";
import type { ConfigSetting, ConfigValue } from "./config-value.js";

export function buildConfig(
  settings: ReadonlyMap<ConfigKeyName, ConfigSetting>,
  configFilePath: string | undefined,
): Config {
  const value = (key: ConfigKeyName) => settings.get(key)?.value;
  const bool = (key: ConfigKeyName) => expectType(key, value(key), "boolean") as boolean;
  const num = (key: ConfigKeyName) => expectType(key, value(key), "number") as number;
  const str = (key: ConfigKeyName) => expectType(key, value(key), "string") as string;
  const optionalStr = (key: ConfigKeyName) => {
    const v = value(key);
    return v === undefined ? undefined : (expectType(key, v, "string") as string);
  };
  const commands = expectType("triggers.image_map", value("triggers.image_map"), "object");
  return {
    configFilePath,
    devMode: bool("dev_mode"),
    ignorePipelineRunEvents: bool("ignore_pipeline_run_events"),
    runParallelismLimit: num("run_parallelism_limit"),
    eventLogRetentionMs: num("event_log_retention"),
    eventPruneIntervalMs: num("event_prune_interval"),
    logLevel: str("log_level") as LogLevel,
    taskExecutionLogsDir: str("task_execution_logs_dir"),
    taskExecutionLogExpiry: num("task_execution_log_expiry"),
    taskExecutionStopTimeoutMs: num("task_execution_stop_timeout"),
    server: {
      host: str("server.host"),
      shutdownTimeoutMs: num("server.shutdown_timeout"),
      storageEngine: str("server.storage_engine") as StorageEngineName,
      storagePath: str("server.storage_path"),
      storageUrl: optionalStr("server.storage_url"),
      replicaLeaseMs: num("server.replica_lease"),
      storageResultsLimit: num("server.storage_results_limit"),
      tlsCertPath: optionalStr("server.tls_cert_path"),
      tlsKeyPath: optionalStr("server.tls_key_path"),
      useTls: bool("server.use_tls"),
      extensionAddress: optionalStr("server.extension_address"),
    },
    triggers: {
      installBaseTriggers: bool("triggers.install_base_triggers"),
      stopTimeoutMs: num("triggers.stop_timeout"),
      tlsCertPath: optionalStr("triggers.tls_cert_path"),
      tlsKeyPath: optionalStr("triggers.tls_key_path"),
      useTls: bool("triggers.use_tls"),
      imageMap: commands as Readonly<Record<string, readonly string[]>>,
      readinessAttempts: num("triggers.readiness_attempts"),
      readinessDelayMs: num("triggers.readiness_delay"),
      livenessIntervalMs: num("triggers.liveness_interval"),
      livenessTimeoutMs: num("triggers.liveness_timeout"),
      livenessMisses: num("triggers.liveness_misses"),
    },
    scheduler: {
      engine: str("scheduler.engine") as SchedulerEngine,
      docker: {
        prune: bool("scheduler.docker.prune"),
        pruneIntervalMs: num("scheduler.docker.prune_interval"),
        network: str("scheduler.docker.network") as DockerNetwork,
      },
    },
    externalEventsApi: {
      enable: bool("external_events_api.enable"),
      host: str("external_events_api.host"),
      useTls: bool("external_events_api.use_tls"),
      maxBodyBytes: num("external_events_api.max_body_size"),
      maxConcurrentPerTrigger: num("external_events_api.max_concurrent_per_trigger"),
      maxWaitingPerTrigger: num("external_events_api.max_waiting_per_trigger"),
    },
    objectStore: {
      engine: str("object_store.engine") as "sqlite",
      pipelineObjectLimit: num("object_store.pipeline_object_limit"),
      runObjectExpiry: num("object_store.run_object_expiry"),
      maxObjectBytes: num("object_store.max_object_bytes"),
      sqlite: { path: str("object_store.sqlite.path") },
    },
    secretStore: {
      engine: str("secret_store.engine") as "sqlite",
      sqlite: {
        path: str("secret_store.sqlite.path"),
        encryptionKey: str("secret_store.sqlite.encryption_key"),
      },
    },
    development: {
      prettyLogging: bool("development.pretty_logging"),
      bypassAuth: bool("development.bypass_auth"),
      useLocalhostTls: bool("development.use_localhost_tls"),
      defaultEncryption: bool("development.default_encryption"),
    },
  };
}

function expectType(key: ConfigKeyName, value: ConfigValue, type: "boolean" | "number" | "string" | "object") {
  if (typeof value !== type) throw new Error(`config key ${key} resolved to ${typeof value}, expected ${type}`);
  return value;
}
