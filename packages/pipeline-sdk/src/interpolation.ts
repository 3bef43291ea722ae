// Placeholders the server replaces in task variables and settings when a run starts (the v0.4 SDK helpers).

/** A secret stored for this pipeline (`gofer pipeline secret put`). */
export function pipelineSecret(key: string): string {
  return `pipeline_secret{{${key}}}`;
}

/** A secret an administrator stored for all pipelines; allowed only where the server permits it. */
export function globalSecret(key: string): string {
  return `global_secret{{${key}}}`;
}

/** An object in this pipeline's object store. */
export function pipelineObject(key: string): string {
  return `pipeline_object{{${key}}}`;
}

/** An object stored by the current run. */
export function runObject(key: string): string {
  return `run_object{{${key}}}`;
}
