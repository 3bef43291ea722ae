// Defaults, written the way a user would write them in the TOML file so they go through the same parsing as
// everything else. Values follow spec §2.11 and the seed reference (log_level "info" as in the sample file).

import type { ConfigKeyName } from "./config-keys.js";

export type RawConfigValue = string | number | boolean | Readonly<Record<string, string>>;

/** The well-known key of v0.4's sample config; refused outside dev mode / development.default_encryption. */
export const DEFAULT_ENCRYPTION_KEY = "changemechangemechangemechangeme";

/** Read when neither `--config` nor GOFER_CONFIG_PATH names a file, and only if it exists. */
export const DEFAULT_CONFIG_PATH = "/etc/gofer/gofer.toml";

/** Dev mode keeps its data here (relative to the working directory) unless paths are set explicitly. */
export const DEV_DATA_DIR = ".gofer-dev";

export const DEFAULTS: { readonly [K in ConfigKeyName]?: RawConfigValue } = {
  dev_mode: false,
  ignore_pipeline_run_events: false,
  run_parallelism_limit: 200,
  event_log_retention: "4380h",
  event_prune_interval: "3h",
  log_level: "info",
  task_execution_logs_dir: "/tmp",
  task_execution_log_expiry: 50,
  task_execution_stop_timeout: "5m",

  "server.host": "localhost:8080",
  "server.shutdown_timeout": "15s",
  "server.storage_engine": "sqlite",
  "server.storage_path": "/tmp/gofer.db",
  "server.replica_lease": "6s",
  "server.storage_results_limit": 200,
  "server.use_tls": true,

  "triggers.install_base_triggers": true,
  "triggers.stop_timeout": "5m",
  "triggers.use_tls": true,
  "triggers.image_map": {},
  "triggers.readiness_attempts": 30,
  "triggers.readiness_delay": "300ms",
  "triggers.liveness_interval": "2s",
  "triggers.liveness_timeout": "2s",
  "triggers.liveness_misses": 3,

  "scheduler.engine": "docker",
  "scheduler.docker.prune": false,
  "scheduler.docker.prune_interval": "24h",
  "scheduler.docker.network": "bridge",

  "external_events_api.enable": true,
  "external_events_api.host": "localhost:8081",
  "external_events_api.use_tls": true,
  "external_events_api.max_body_size": 26_214_400,
  "external_events_api.max_concurrent_per_trigger": 8,
  "external_events_api.max_waiting_per_trigger": 256,

  "object_store.engine": "sqlite",
  "object_store.pipeline_object_limit": 50,
  "object_store.run_object_expiry": 50,
  "object_store.sqlite.path": "/tmp/gofer-object.db",
  "object_store.max_object_bytes": 10 * 1024 * 1024,

  "secret_store.engine": "sqlite",
  "secret_store.sqlite.path": "/tmp/gofer-secret.db",
  "secret_store.sqlite.encryption_key": DEFAULT_ENCRYPTION_KEY,

  "development.pretty_logging": false,
  "development.bypass_auth": false,
  "development.use_localhost_tls": false,
  "development.default_encryption": false,
};

/**
 * Applied over DEFAULTS when dev mode is on; anything set in the file, env or flags still wins, so
 * `dev_mode = true` with `development.bypass_auth = false` keeps auth.
 */
export const DEV_MODE_DEFAULTS: { readonly [K in ConfigKeyName]?: RawConfigValue } = {
  task_execution_logs_dir: `${DEV_DATA_DIR}/logs`,
  // Dev mode runs on any machine with Node; `--set scheduler.engine=docker` uses Docker instead.
  "scheduler.engine": "process",
  "server.storage_path": `${DEV_DATA_DIR}/gofer.db`,
  "object_store.sqlite.path": `${DEV_DATA_DIR}/gofer-object.db`,
  "secret_store.sqlite.path": `${DEV_DATA_DIR}/gofer-secret.db`,
  "development.pretty_logging": true,
  "development.bypass_auth": true,
  "development.use_localhost_tls": true,
  "development.default_encryption": true,
};
