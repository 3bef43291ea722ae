// Two views of every table. `*Table` is what the database holds (JSON as text, booleans as 0/1, on sqlite and Postgres
// alike: migrations/column-types.ts) and types the kysely queries; `*Row` is what the repositories take and return, with JSON parsed and booleans as booleans. Names stay
// snake_case and flat: turning a row into a domain object (`toRun(row)`) happens in the owning folder.
//
// Times are epoch milliseconds. `null` means "not yet" (a run that has not ended) or "none" (no registry auth).

import type { ColumnType, Generated, Selectable } from "kysely";
import type { RunClaimTable, TriggerLeaseTable } from "./replica-tables.js";

/** Set on insert, never updated (keys, creation times). */
type Immutable<T> = ColumnType<T, T, never>;
/** A column holding JSON text. */
type JsonText = string;
/** 0 or 1. */
type SqliteBoolean = number;

export type PipelineState = "ACTIVE" | "DISABLED";
export type RunState = "PENDING" | "RUNNING" | "COMPLETE";
export type RunStatus = "UNKNOWN" | "SUCCESSFUL" | "FAILED" | "CANCELLED";
export type TaskRunState = "PROCESSING" | "WAITING" | "RUNNING" | "COMPLETE";
export type TaskRunStatus = "UNKNOWN" | "SUCCESSFUL" | "FAILED" | "CANCELLED" | "SKIPPED";
export type RequiredParentStatus = "ANY" | "SUCCESS" | "FAILURE";
export type VariableSource = "UNKNOWN" | "PIPELINE_CONFIG" | "SYSTEM" | "RUN_OPTIONS" | "TRIGGER";
/** v0.4 triggers are long-running Watch servers; v0.5 extensions call StartRun themselves (spec §5.4). */
export type TriggerKind = "trigger" | "extension";
export type TriggerRegistrationStatus = "ENABLED" | "DISABLED";
export type TokenKind = "MANAGEMENT" | "CLIENT";
export type PipelineErrorKind = "UNKNOWN" | "TRIGGER_SUBSCRIPTION_FAILURE";
export type RunStatusReasonKind =
  | "UNKNOWN"
  | "ABNORMAL_EXIT"
  | "SCHEDULER_ERROR"
  | "FAILED_PRECONDITION"
  | "USER_CANCELLED"
  | "ADMIN_CANCELLED";
export type TaskRunStatusReasonKind =
  | "UNKNOWN"
  | "ABNORMAL_EXIT"
  | "SCHEDULER_ERROR"
  | "FAILED_PRECONDITION"
  | "CANCELLED"
  | "ORPHANED";

// JSON column contents.

export interface PipelineErrorRecord {
  readonly kind: PipelineErrorKind;
  readonly description: string;
}

export interface VariableRecord {
  readonly key: string;
  readonly value: string;
  readonly source: VariableSource;
}

export interface RegistryAuthRecord {
  readonly user: string;
  readonly pass: string;
}

export interface RunStatusReasonRecord {
  readonly reason: RunStatusReasonKind;
  readonly description: string;
}

export interface TaskRunStatusReasonRecord {
  readonly reason: TaskRunStatusReasonKind;
  readonly description: string;
}

/** The task as it was when the task run was created, so editing the pipeline later does not rewrite history. */
export interface TaskRecord {
  readonly id: string;
  readonly description: string;
  readonly image: string;
  readonly registry_auth: RegistryAuthRecord | null;
  readonly depends_on: Readonly<Record<string, RequiredParentStatus>>;
  readonly variables: readonly VariableRecord[];
  readonly entrypoint: readonly string[] | null;
  readonly command: readonly string[] | null;
  /** Set when the task run is of a common task: its registration's name (id is the pipeline's label). */
  readonly common_task?: { readonly name: string; readonly settings: Readonly<Record<string, string>> };
}

// Tables as stored.

export interface NamespaceTable {
  id: Immutable<string>;
  name: string;
  description: string;
  created: Immutable<number>;
  modified: number;
}

export interface PipelineTable {
  namespace_id: Immutable<string>;
  id: Immutable<string>;
  name: string;
  description: string;
  /** 0 = use the server's run_parallelism_limit. */
  parallelism: number;
  state: PipelineState;
  created: Immutable<number>;
  modified: number;
  errors: JsonText;
}

export interface PipelineTaskTable {
  namespace_id: Immutable<string>;
  pipeline_id: Immutable<string>;
  id: Immutable<string>;
  description: string;
  image: string;
  registry_auth: JsonText | null;
  depends_on: JsonText;
  variables: JsonText;
  /** null = keep the image's entrypoint; [] would override it with nothing. */
  entrypoint: JsonText | null;
  command: JsonText | null;
}

export interface PipelineTriggerSubscriptionTable {
  namespace_id: Immutable<string>;
  pipeline_id: Immutable<string>;
  label: Immutable<string>;
  trigger_name: string;
  settings: JsonText;
}

export interface RunTable {
  namespace_id: Immutable<string>;
  pipeline_id: Immutable<string>;
  /** 1, 2, 3… per pipeline; allocated by insertRun. */
  id: Immutable<number>;
  started: number;
  ended: number | null;
  state: RunState;
  status: RunStatus;
  status_reason: JsonText | null;
  trigger_name: string;
  trigger_label: string;
  variables: JsonText;
  store_objects_expired: SqliteBoolean;
  /** The FIRED_TRIGGER_EVENT that started the run; null for manual runs. Not a foreign key: events are pruned. */
  event_id: number | null;
}

export interface TaskRunTable {
  namespace_id: Immutable<string>;
  pipeline_id: Immutable<string>;
  run_id: Immutable<number>;
  id: Immutable<string>;
  task: JsonText;
  created: Immutable<number>;
  started: number | null;
  ended: number | null;
  exit_code: number | null;
  state: TaskRunState;
  status: TaskRunStatus;
  status_reason: JsonText | null;
  logs_expired: SqliteBoolean;
  logs_removed: SqliteBoolean;
  variables: JsonText;
  /** The scheduler's handle (container name or process id) while it runs. */
  scheduler_id: string | null;
}

export interface TriggerRegistrationTable {
  name: Immutable<string>;
  image: string;
  kind: TriggerKind;
  registry_auth: JsonText | null;
  variables: JsonText;
  created: Immutable<number>;
  status: TriggerRegistrationStatus;
}

export interface EventTable {
  id: Generated<number>;
  kind: string;
  /** JSON object as sent in Event.details (spec §1.6). */
  details: JsonText;
  emitted: number;
}

export interface TokenTable {
  /** sha256 of the token, lowercase hex. */
  hash: Immutable<string>;
  kind: TokenKind;
  namespaces: JsonText;
  metadata: JsonText;
  created: Immutable<number>;
  /** null = never expires. */
  expires: number | null;
  disabled: SqliteBoolean;
}

export interface ServerStateTable {
  key: Immutable<string>;
  value: string;
}

export interface CommonTaskRegistrationTable {
  name: Immutable<string>;
  image: string;
  registry_auth: JsonText | null;
  /** Install config, stored as given (keys without the GOFER_PLUGIN_CONFIG_ prefix). */
  variables: JsonText;
  created: Immutable<number>;
  status: TriggerRegistrationStatus;
  documentation: string;
}

export interface PipelineCommonTaskTable {
  namespace_id: Immutable<string>;
  pipeline_id: Immutable<string>;
  /** The task id within the pipeline. */
  label: Immutable<string>;
  /** The registration's name. */
  name: string;
  description: string;
  depends_on: JsonText;
  settings: JsonText;
}

export interface Schema {
  namespaces: NamespaceTable;
  pipelines: PipelineTable;
  pipeline_tasks: PipelineTaskTable;
  pipeline_trigger_subscriptions: PipelineTriggerSubscriptionTable;
  runs: RunTable;
  task_runs: TaskRunTable;
  trigger_registrations: TriggerRegistrationTable;
  events: EventTable;
  tokens: TokenTable;
  server_state: ServerStateTable;
  common_task_registrations: CommonTaskRegistrationTable;
  pipeline_common_tasks: PipelineCommonTaskTable;
  event_outcome_counts: EventOutcomeCountTable;
  trigger_leases: TriggerLeaseTable;
  run_claims: RunClaimTable;
}

/** Ours: fired events per trigger/pipeline by how they resolved (storage/event-outcome-counts.ts). */
export interface EventOutcomeCountTable {
  namespace_id: string;
  pipeline_id: string;
  trigger_name: string;
  outcome: string;
  count: number;
}

export interface CommonTaskRegistrationRow {
  readonly name: string;
  readonly image: string;
  readonly registry_auth: RegistryAuthRecord | null;
  readonly variables: readonly VariableRecord[];
  readonly created: number;
  readonly status: TriggerRegistrationStatus;
  readonly documentation: string;
}

export interface PipelineCommonTaskRow {
  readonly namespace_id: string;
  readonly pipeline_id: string;
  readonly label: string;
  readonly name: string;
  readonly description: string;
  readonly depends_on: Readonly<Record<string, RequiredParentStatus>>;
  readonly settings: Readonly<Record<string, string>>;
}

// Rows as the repositories take and return them.

export type NamespaceRow = Selectable<NamespaceTable>;

export interface PipelineRow {
  readonly namespace_id: string;
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly parallelism: number;
  readonly state: PipelineState;
  readonly created: number;
  readonly modified: number;
  readonly errors: readonly PipelineErrorRecord[];
}

export interface PipelineTaskRow {
  readonly namespace_id: string;
  readonly pipeline_id: string;
  readonly id: string;
  readonly description: string;
  readonly image: string;
  readonly registry_auth: RegistryAuthRecord | null;
  readonly depends_on: Readonly<Record<string, RequiredParentStatus>>;
  readonly variables: readonly VariableRecord[];
  readonly entrypoint: readonly string[] | null;
  readonly command: readonly string[] | null;
}

export interface PipelineTriggerSubscriptionRow {
  readonly namespace_id: string;
  readonly pipeline_id: string;
  readonly label: string;
  readonly trigger_name: string;
  readonly settings: Readonly<Record<string, string>>;
}

export interface RunRow {
  readonly namespace_id: string;
  readonly pipeline_id: string;
  readonly id: number;
  readonly started: number;
  readonly ended: number | null;
  readonly state: RunState;
  readonly status: RunStatus;
  readonly status_reason: RunStatusReasonRecord | null;
  readonly trigger_name: string;
  readonly trigger_label: string;
  readonly variables: readonly VariableRecord[];
  readonly store_objects_expired: boolean;
  readonly event_id: number | null;
}

export interface TaskRunRow {
  readonly namespace_id: string;
  readonly pipeline_id: string;
  readonly run_id: number;
  readonly id: string;
  readonly task: TaskRecord;
  readonly created: number;
  readonly started: number | null;
  readonly ended: number | null;
  readonly exit_code: number | null;
  readonly state: TaskRunState;
  readonly status: TaskRunStatus;
  readonly status_reason: TaskRunStatusReasonRecord | null;
  readonly logs_expired: boolean;
  readonly logs_removed: boolean;
  readonly variables: readonly VariableRecord[];
  readonly scheduler_id: string | null;
}

export interface TriggerRegistrationRow {
  readonly name: string;
  readonly image: string;
  readonly kind: TriggerKind;
  readonly registry_auth: RegistryAuthRecord | null;
  readonly variables: readonly VariableRecord[];
  readonly created: number;
  readonly status: TriggerRegistrationStatus;
}

export type EventRow = Selectable<EventTable>;

export interface TokenRow {
  readonly hash: string;
  readonly kind: TokenKind;
  readonly namespaces: readonly string[];
  readonly metadata: Readonly<Record<string, string>>;
  readonly created: number;
  readonly expires: number | null;
  readonly disabled: boolean;
}
