// The server's settings after defaults, the TOML file, GOFER_* env and flags were merged and validated
// (see load-config.ts). Units are in the names; every object is frozen. Key names and defaults: spec §2.11 and the
// seed configuration reference; config-keys.ts maps each field to its TOML key and env name.

export type LogLevel = "debug" | "info" | "warn" | "error";
export type SchedulerEngine = "docker" | "process";
export type DockerNetwork = "bridge" | "host";
export type StorageEngineName = "sqlite" | "postgres";

export interface Config {
  /** Where the TOML file was read from; undefined when no file was used. */
  readonly configFilePath: string | undefined;
  /** `dev_mode` / `--dev`: turns on the `development` conveniences and keeps data under `.gofer-dev/`. */
  readonly devMode: boolean;
  /** Start with event ingress off (runs are not started from trigger events). */
  readonly ignorePipelineRunEvents: boolean;
  /** Runs executing at once across all pipelines (a pipeline with parallelism 0 is limited by this alone); 0 = unlimited. */
  readonly runParallelismLimit: number;
  readonly eventLogRetentionMs: number;
  readonly eventPruneIntervalMs: number;
  readonly logLevel: LogLevel;
  readonly taskExecutionLogsDir: string;
  /** Number of runs whose task logs are kept; older runs' logs are deleted. */
  readonly taskExecutionLogExpiry: number;
  readonly taskExecutionStopTimeoutMs: number;
  readonly server: ServerConfig;
  readonly triggers: TriggersConfig;
  readonly scheduler: SchedulerConfig;
  readonly externalEventsApi: ExternalEventsApiConfig;
  readonly objectStore: ObjectStoreConfig;
  readonly secretStore: SecretStoreConfig;
  readonly development: DevelopmentConfig;
}

export interface ServerConfig {
  /** host:port the gRPC API binds to. */
  readonly host: string;
  readonly shutdownTimeoutMs: number;
  /** sqlite: one server, the file at storagePath; postgres: the database at storageUrl, shareable by servers. */
  readonly storageEngine: StorageEngineName;
  readonly storagePath: string;
  /** postgres://user:pass@host:port/db; holds a password, so never logged as it is (redactStorageUrl). */
  readonly storageUrl: string | undefined;
  /** postgres: a trigger's lease, renewed every third of it; a dead holder's triggers move on after it. */
  readonly replicaLeaseMs: number;
  /** Most rows one list call returns. */
  readonly storageResultsLimit: number;
  readonly tlsCertPath: string | undefined;
  readonly tlsKeyPath: string | undefined;
  readonly useTls: boolean;
  /** Address at which containers reach the API (v0.5 extensions call back); undefined = derive it. */
  readonly extensionAddress: string | undefined;
}

export interface TriggersConfig {
  /** Register the provided `cron` and `interval` triggers at boot when missing (spec §2.1). */
  readonly installBaseTriggers: boolean;
  /** Time between Shutdown and a forced stop of a trigger container. */
  readonly stopTimeoutMs: number;
  readonly tlsCertPath: string | undefined;
  readonly tlsKeyPath: string | undefined;
  /** Serve and dial trigger traffic with TLS (the v0.5 `[extensions] use_tls`). */
  readonly useTls: boolean;
  /** Image reference → argv the process engine runs instead of a container. */
  readonly imageMap: Readonly<Record<string, readonly string[]>>;
  /** Info calls before a starting trigger counts as failed (spec §2.3). */
  readonly readinessAttempts: number;
  readonly readinessDelayMs: number;
  /** Liveness checks of a running trigger (Info with a deadline); intervalMs 0 turns them off. */
  readonly livenessIntervalMs: number;
  readonly livenessTimeoutMs: number;
  readonly livenessMisses: number;
}

export interface SchedulerConfig {
  readonly engine: SchedulerEngine;
  readonly docker: DockerSchedulerConfig;
}

export interface DockerSchedulerConfig {
  /** Periodically remove exited task containers. */
  readonly prune: boolean;
  readonly pruneIntervalMs: number;
  readonly network: DockerNetwork;
}

export interface ExternalEventsApiConfig {
  readonly enable: boolean;
  readonly host: string;
  /** Only `false` with a plaintext API gives a plaintext endpoint; the endpoint serves the API's certificate. */
  readonly useTls: boolean;
  /** Largest webhook body accepted (default 25 MB). */
  readonly maxBodyBytes: number;
  readonly maxConcurrentPerTrigger: number;
  readonly maxWaitingPerTrigger: number;
}

export interface ObjectStoreConfig {
  readonly engine: "sqlite";
  readonly pipelineObjectLimit: number;
  readonly runObjectExpiry: number;
  readonly maxObjectBytes: number;
  readonly sqlite: { readonly path: string };
}

export interface SecretStoreConfig {
  readonly engine: "sqlite";
  readonly sqlite: { readonly path: string; readonly encryptionKey: string };
}

export interface DevelopmentConfig {
  readonly prettyLogging: boolean;
  readonly bypassAuth: boolean;
  /** Serve the API with generated localhost certificates instead of configured ones. */
  readonly useLocalhostTls: boolean;
  /** Allow the well-known default secret-store key. */
  readonly defaultEncryption: boolean;
}
