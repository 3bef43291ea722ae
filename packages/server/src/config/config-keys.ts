// Every setting the server reads: its canonical TOML key, the other spellings accepted for compatibility (v0.4's
// HCL names, v0.5's `[extensions]` / `[external_events]` / `[api]` blocks, the seed reference's examples), the kind
// of value and its GOFER_* env names. load-config.ts, env.ts and the sample config are all driven by this table.

export type ConfigValueKind =
  | { readonly type: "boolean" }
  | { readonly type: "integer"; readonly min: number }
  | { readonly type: "duration" }
  | { readonly type: "string" }
  /** A string whose absence is meaningful; "" counts as not set. */
  | { readonly type: "optional-string" }
  | { readonly type: "enum"; readonly values: readonly string[] }
  /** A table of image reference → command (a string split on spaces, or an argv array). */
  | { readonly type: "command-map" };

export interface ConfigKey<Name extends string = string> {
  /** Canonical dotted TOML path, e.g. "triggers.stop_timeout"; top-level keys have no dot. */
  readonly key: Name;
  readonly kind: ConfigValueKind;
  /** Other dotted paths the file (or a flag) may use for the same setting. */
  readonly aliases: readonly string[];
  /** Env names, canonical first. */
  readonly envNames: readonly string[];
  /** Never echo the value in messages. */
  readonly secret: boolean;
  readonly description: string;
}

const BOOLEAN = { type: "boolean" } as const;
const DURATION = { type: "duration" } as const;
const STRING = { type: "string" } as const;
const OPTIONAL_STRING = { type: "optional-string" } as const;
const integer = (min: number) => ({ type: "integer", min }) as const;
const oneOf = (...values: string[]) => ({ type: "enum", values }) as const;

/** Blocks that may be written under another name. Top-level keys may also sit in an `[api]` table (seed example). */
const BLOCK_ALIASES: Readonly<Record<string, readonly string[]>> = {
  "": ["api"],
  triggers: ["extensions"],
  external_events_api: ["external_events"],
};

interface KeyOptions {
  /** Other names of the key inside its block (and its block aliases). */
  readonly names?: readonly string[];
  /** Env names replacing the derived ones. */
  readonly env?: readonly string[];
  readonly secret?: boolean;
}

function defineKey<Name extends string>(
  key: Name,
  kind: ConfigValueKind,
  description: string,
  options: KeyOptions = {},
): ConfigKey<Name> {
  const dot = key.lastIndexOf(".");
  const block = dot === -1 ? "" : key.slice(0, dot);
  const name = key.slice(dot + 1);
  const blocks = [block, ...(BLOCK_ALIASES[block] ?? [])];
  const names = [name, ...(options.names ?? [])];
  const paths = blocks.flatMap((b) => names.map((n) => (b === "" ? n : `${b}.${n}`)));
  // `[api]` is a file-only spelling: env names of top-level keys carry no block (GOFER_LOG_LEVEL).
  const envBlocks = blocks.filter((b) => b !== "api");
  const derivedEnv = envBlocks.flatMap((b) =>
    names.map((n) => `GOFER_${(b === "" ? n : `${b}_${n}`).replaceAll(".", "_").toUpperCase()}`),
  );
  return {
    key,
    kind,
    aliases: paths.filter((p) => p !== key),
    envNames: options.env ?? derivedEnv,
    secret: options.secret ?? false,
    description,
  };
}

const KEY_LIST = [
  defineKey("dev_mode", BOOLEAN, "Development mode: no auth, readable logs, localhost certs, data in ./.gofer-dev.", {
    env: ["GOFER_DEVMODE", "GOFER_DEV_MODE"],
  }),
  defineKey(
    "ignore_pipeline_run_events",
    BOOLEAN,
    "Start with event ingress off: trigger events start no runs until `gofer service toggle-event-ingress`.",
  ),
  defineKey(
    "run_parallelism_limit",
    integer(0),
    "Parallel runs per pipeline when the pipeline sets no limit; 0 is unlimited.",
  ),
  defineKey("event_log_retention", DURATION, "How long events are kept before pruning."),
  defineKey("event_prune_interval", DURATION, "How often events older than event_log_retention are removed."),
  defineKey("log_level", oneOf("debug", "info", "warn", "error"), "Log level: debug, info, warn or error."),
  defineKey("task_execution_logs_dir", STRING, "Directory holding task execution logs.", {
    names: ["task_run_logs_dir"],
  }),
  defineKey(
    "task_execution_log_expiry",
    integer(1),
    "Number of runs whose task logs are kept; logs of older runs are deleted.",
    { names: ["task_run_log_expiry", "task_execution_log_retention"] },
  ),
  defineKey(
    "task_execution_stop_timeout",
    DURATION,
    "How long a task container gets to stop gracefully before it is killed.",
    { names: ["task_run_stop_timeout"] },
  ),

  defineKey("server.host", STRING, "host:port the API binds to.", { names: ["bind_address"] }),
  defineKey("server.shutdown_timeout", DURATION, "How long shutdown waits for connections and runs to drain."),
  defineKey(
    "server.storage_engine",
    oneOf("sqlite", "postgres"),
    "Where the server keeps its state: sqlite (storage_path) or postgres (storage_url).",
  ),
  defineKey("server.storage_path", STRING, "Path of the sqlite database."),
  defineKey(
    "server.storage_url",
    OPTIONAL_STRING,
    "Postgres connection URL (postgres://user:password@host:5432/db) when storage_engine is postgres.",
    { secret: true },
  ),
  defineKey(
    "server.replica_lease",
    DURATION,
    "postgres: how long a server's hold on a trigger lasts unrenewed; another server takes the trigger after that.",
  ),
  defineKey("server.storage_results_limit", integer(1), "Most results one list call returns."),
  defineKey("server.tls_cert_path", OPTIONAL_STRING, "TLS certificate (PEM) of the API."),
  defineKey("server.tls_key_path", OPTIONAL_STRING, "TLS key (PEM) of the API."),
  defineKey("server.use_tls", BOOLEAN, "Serve the API over TLS."),
  defineKey("server.extension_address", OPTIONAL_STRING, "Address at which containers reach the API."),

  defineKey(
    "triggers.install_base_triggers",
    BOOLEAN,
    "Register the provided cron and interval triggers at startup when missing.",
    { names: ["install_base_extensions", "install_std_extensions"] },
  ),
  defineKey(
    "triggers.stop_timeout",
    DURATION,
    "How long a trigger gets after Shutdown before it is stopped, then killed.",
  ),
  defineKey("triggers.tls_cert_path", OPTIONAL_STRING, "TLS certificate (PEM) handed to trigger containers."),
  defineKey("triggers.tls_key_path", OPTIONAL_STRING, "TLS key (PEM) handed to trigger containers."),
  defineKey("triggers.use_tls", BOOLEAN, "Trigger containers serve gRPC over TLS."),
  defineKey(
    "triggers.image_map",
    { type: "command-map" },
    'Process engine only: image reference → local command, as a table (env: JSON object, e.g. {"img":"node main.js"}).',
  ),
  defineKey("triggers.readiness_attempts", integer(1), "Info calls made before a starting trigger counts as failed."),
  defineKey("triggers.readiness_delay", DURATION, "Pause between readiness attempts."),
  defineKey(
    "triggers.liveness_interval",
    DURATION,
    "How often a running trigger is asked Info to check it is not hung; 0 turns the checks off.",
  ),
  defineKey("triggers.liveness_timeout", DURATION, "Deadline of one liveness check."),
  defineKey(
    "triggers.liveness_misses",
    integer(1),
    "Failed liveness checks in a row after which a trigger is marked UNKNOWN, reported and restarted.",
  ),

  defineKey("scheduler.engine", oneOf("docker", "process"), "Where tasks and triggers run: docker or process."),
  defineKey("scheduler.docker.prune", BOOLEAN, "Periodically remove exited containers."),
  defineKey("scheduler.docker.prune_interval", DURATION, "How often containers are pruned."),
  defineKey("scheduler.docker.network", oneOf("bridge", "host"), "Docker network mode of containers: bridge or host."),

  defineKey("external_events_api.enable", BOOLEAN, "Serve the external events (webhook) HTTP endpoint."),
  defineKey("external_events_api.host", STRING, "host:port the external events endpoint binds to.", {
    names: ["bind_address"],
  }),
  defineKey(
    "external_events_api.use_tls",
    BOOLEAN,
    "Serve the external events endpoint over TLS (it is plaintext only when the API is: server.use_tls = false).",
  ),
  defineKey("external_events_api.max_body_size", integer(1), "Largest webhook body accepted, in bytes (413 beyond)."),
  defineKey(
    "external_events_api.max_concurrent_per_trigger",
    integer(1),
    "Webhooks forwarded to one trigger at once; more wait their turn.",
  ),
  defineKey(
    "external_events_api.max_waiting_per_trigger",
    integer(0),
    "Webhooks waiting for one trigger before more are refused (429).",
  ),

  defineKey("object_store.engine", oneOf("sqlite"), "Object store engine; only sqlite."),
  defineKey("object_store.pipeline_object_limit", integer(1), "Objects kept per pipeline; the oldest is evicted."),
  defineKey("object_store.run_object_expiry", integer(1), "Runs after which a run's objects are deleted."),
  defineKey("object_store.sqlite.path", STRING, "Path of the object store's sqlite file."),
  defineKey("object_store.max_object_bytes", integer(1), "Largest object accepted, in bytes (not in the original)."),

  defineKey("secret_store.engine", oneOf("sqlite"), "Secret store engine; only sqlite."),
  defineKey("secret_store.sqlite.path", STRING, "Path of the secret store's sqlite file."),
  defineKey(
    "secret_store.sqlite.encryption_key",
    STRING,
    "32-character key encrypting stored secrets; never change it once set.",
    { secret: true },
  ),

  defineKey("development.pretty_logging", BOOLEAN, "Human-readable logs instead of JSON."),
  defineKey("development.bypass_auth", BOOLEAN, "Skip authentication: every caller is a management token."),
  defineKey("development.use_localhost_tls", BOOLEAN, "Serve the API with generated localhost certificates.", {
    names: ["use_included_certs"],
  }),
  defineKey("development.default_encryption", BOOLEAN, "Allow the default secret store encryption key."),
];

export type ConfigKeyName = (typeof KEY_LIST)[number]["key"];

export const CONFIG_KEYS: readonly ConfigKey<ConfigKeyName>[] = KEY_LIST;

/**
 * Keys found in v0.4/v0.5 files and the seed reference's examples that mean nothing here. They are accepted (so an
 * old file still loads) and reported as warnings.
 */
export const IGNORED_KEYS: Readonly<Record<string, string>> = {
  pipeline_version_retention: "pipeline versions are not kept",
  "api.pipeline_version_retention": "pipeline versions are not kept",
  admin_key: "tokens come from `gofer service tokens bootstrap`",
  "api.admin_key": "tokens come from `gofer service tokens bootstrap`",
  "server.url": "clients are configured on their side",
  "scheduler.docker.timeout": "task_execution_stop_timeout decides how long containers get to stop",
};

const byPath = new Map<string, ConfigKey<ConfigKeyName>>();
for (const entry of CONFIG_KEYS) {
  for (const path of [entry.key, ...entry.aliases]) byPath.set(path, entry);
}

/** The key a dotted path (canonical or alias) names. */
export function findConfigKey(path: string): ConfigKey<ConfigKeyName> | undefined {
  return byPath.get(path);
}

/** Every dotted path a file may use, for "did you mean". */
export const KNOWN_PATHS: readonly string[] = [...byPath.keys(), ...Object.keys(IGNORED_KEYS)];

/** Tables that may appear in a file: every proper prefix of a known path. */
export const TABLE_PATHS: ReadonlySet<string> = new Set(
  KNOWN_PATHS.flatMap((path) => {
    const parts = path.split(".");
    return parts.slice(1).map((_, i) => parts.slice(0, i + 1).join("."));
  }),
);
