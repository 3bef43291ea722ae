// Event kinds and the JSON of Event.details, exactly as the original emits them (spec §1.6).

export type EventKind =
  | "CREATED_NAMESPACE"
  | "DELETED_NAMESPACE"
  | "DISABLED_PIPELINE"
  | "ENABLED_PIPELINE"
  | "CREATED_PIPELINE"
  | "DELETED_PIPELINE"
  | "STARTED_RUN"
  | "COMPLETED_RUN"
  | "CREATED_TASKRUN"
  | "STARTED_TASKRUN"
  | "COMPLETED_TASKRUN"
  | "INSTALLED_TRIGGER"
  | "UNINSTALLED_TRIGGER"
  | "ENABLED_TRIGGER"
  | "DISABLED_TRIGGER"
  | "INSTALLED_COMMON_TASK"
  | "UNINSTALLED_COMMON_TASK"
  | "ENABLED_COMMON_TASK"
  | "DISABLED_COMMON_TASK"
  | "FIRED_TRIGGER_EVENT"
  | "PROCESSED_TRIGGER_EVENT"
  | "RESOLVED_TRIGGER_EVENT"
  | "EXPIRED_RUN_OBJECTS"
  | "EVICTED_PIPELINE_OBJECT"
  /** Ours: a webhook forwarded to a trigger (external/external-event-details.ts); v0.4 had no such kind. */
  | "EXTERNAL_EVENT"
  /** Ours: a trigger stopped answering liveness checks and was killed to be restarted; details {name, image, reason}. */
  | "UNHEALTHY_TRIGGER"
  /** Ours (postgres replicas): a server took a trigger's lease and runs it; details {name, replica, term, previous}. */
  | "TOOK_TRIGGER"
  /** Ours (postgres replicas): a server stopped running a trigger; details {name, replica, term, reason}. */
  | "LEFT_TRIGGER";

/** `result.state` holds the status *name*; the JSON key is `state`, not `status`. */
export interface TriggerEventResult {
  details: string;
  state: "UNKNOWN" | "SUCCESS" | "FAILURE" | "SKIPPED";
}

/** Details of FIRED_TRIGGER_EVENT and RESOLVED_TRIGGER_EVENT. */
export interface TriggerEventDetails {
  namespace_id: string;
  pipeline_id: string;
  name: string;
  label: string;
  result: TriggerEventResult;
  metadata: Record<string, string>;
}

/** Details of PROCESSED_TRIGGER_EVENT. */
export interface ProcessedTriggerEventDetails {
  namespace_id: string;
  pipeline_id: string;
  name: string;
  label: string;
}

export interface StoredEvent {
  id: number;
  kind: EventKind;
  details: Record<string, unknown>;
  emitted: number;
}
