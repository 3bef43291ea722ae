// Domain types of installed triggers. Rows live in storage; these are what the runtime and the API work with.
import type { RegistryAuth } from "../scheduler/scheduler.js";

export type TriggerKind = "trigger" | "extension";
export type TriggerStatus = "ENABLED" | "DISABLED";
/** PROCESSING while starting, RUNNING once Info answered, EXITED when stopped or crashed, UNKNOWN when Watch fails or
 * it misses liveness checks (then, after a few misses, it is killed and restarted). */
export type TriggerState = "PROCESSING" | "RUNNING" | "EXITED" | "UNKNOWN";

export interface Variable {
  key: string;
  value: string;
  source: "UNKNOWN" | "PIPELINE_CONFIG" | "SYSTEM" | "RUN_OPTIONS" | "TRIGGER";
}

export interface TriggerRegistration {
  name: string;
  image: string;
  kind: TriggerKind;
  registryAuth?: RegistryAuth;
  variables: Variable[];
  created: number;
  status: TriggerStatus;
}

/** What the API shows of a trigger: its registration plus the runtime's view. */
export interface TriggerView {
  name: string;
  image: string;
  /** trigger (v0.4) or extension (v0.5); on the wire as field 8 (`kind`) of proto Trigger, shown by the CLI. */
  kind: TriggerKind;
  /** host:port, empty while not running */
  url: string;
  started: number;
  state: TriggerState;
  status: TriggerStatus;
  documentation: string;
}
