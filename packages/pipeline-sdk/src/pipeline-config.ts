// The pipeline configuration a program describes, in the shape of proto.PipelineConfig (v0.4.1, spec §1.5) with
// camelCase names. This is what the builders produce and what encodePipelineConfig writes.

/** What a task needs from a parent before it runs (proto enum: ANY=1, SUCCESS=2, FAILURE=3). */
export type RequiredParentStatus = "ANY" | "SUCCESS" | "FAILURE";

export interface RegistryAuth {
  readonly user: string;
  readonly pass: string;
}

/** A task that runs a container image of your choosing (proto.CustomTaskConfig). */
export interface CustomTaskConfig {
  readonly kind: "custom";
  readonly id: string;
  readonly description: string;
  readonly image: string;
  readonly registryAuth: RegistryAuth | undefined;
  /** Parent task id → the status it must end with. */
  readonly dependsOn: Readonly<Record<string, RequiredParentStatus>>;
  /** Environment of the task; keys are kept as given. */
  readonly variables: Readonly<Record<string, string>>;
  readonly entrypoint: readonly string[];
  readonly command: readonly string[];
}

/** A task an administrator installed for every pipeline (proto.CommonTaskConfig). */
export interface CommonTaskConfig {
  readonly kind: "common";
  readonly name: string;
  /** The task's id within this pipeline. */
  readonly label: string;
  readonly description: string;
  readonly dependsOn: Readonly<Record<string, RequiredParentStatus>>;
  /** Keys are already in their wire form, GOFER_PLUGIN_PARAM_<KEY>. */
  readonly settings: Readonly<Record<string, string>>;
}

export type TaskConfig = CustomTaskConfig | CommonTaskConfig;

/** A subscription of the pipeline to an installed trigger (proto.PipelineTriggerConfig). */
export interface TriggerConfig {
  readonly name: string;
  readonly label: string;
  /** Keys are already in their wire form, GOFER_PLUGIN_PARAM_<KEY>. */
  readonly settings: Readonly<Record<string, string>>;
}

export interface PipelineConfig {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  /** Runs of this pipeline allowed at once; 0 = the server's limit. */
  readonly parallelism: bigint;
  readonly tasks: readonly TaskConfig[];
  readonly triggers: readonly TriggerConfig[];
}

/** Prefix the v0.4 SDKs put before trigger and common-task setting keys (spec vectors README §1). */
export const PARAM_PREFIX = "GOFER_PLUGIN_PARAM_";

/** `every` → `GOFER_PLUGIN_PARAM_EVERY`, as the Go SDK's Setting(); a key already in that form is kept. */
export function settingKey(key: string): string {
  const upper = key.toUpperCase();
  return upper.startsWith(PARAM_PREFIX) ? upper : PARAM_PREFIX + upper;
}
