// The variables a task run sees, one per key, each keeping the source that won. Later sources override earlier ones:
//   SYSTEM (GOFER_*) < PIPELINE_CONFIG (the task's variables) < RUN_OPTIONS (StartRun) < TRIGGER (event metadata)
// The original merged system < task < run variables (runs carried either options or metadata); we keep its order and
// rank metadata above options for runs that carry both (a retried run keeps its sources).
import type { TaskRecord, VariableRecord, VariableSource } from "../storage/schema.js";
import type { Run } from "./run.js";

/** What of the run its task runs' variables come from. */
export type RunForVariables = Pick<Run, "namespaceId" | "pipelineId" | "id" | "variables">;

/** Names of the variables the server injects into every task run (the original's four, plus the namespace). */
export const SYSTEM_VARIABLES = {
  namespace: "GOFER_NAMESPACE_ID",
  pipeline: "GOFER_PIPELINE_ID",
  run: "GOFER_RUN_ID",
  task: "GOFER_TASK_ID",
  image: "GOFER_TASK_IMAGE",
} as const;

const RANK: Record<VariableSource, number> = {
  UNKNOWN: 0,
  SYSTEM: 1,
  PIPELINE_CONFIG: 2,
  RUN_OPTIONS: 3,
  TRIGGER: 4,
};

export function systemVariables(run: RunForVariables, task: TaskRecord): VariableRecord[] {
  return [
    { key: SYSTEM_VARIABLES.namespace, value: run.namespaceId, source: "SYSTEM" },
    { key: SYSTEM_VARIABLES.pipeline, value: run.pipelineId, source: "SYSTEM" },
    { key: SYSTEM_VARIABLES.run, value: String(run.id), source: "SYSTEM" },
    { key: SYSTEM_VARIABLES.task, value: task.id, source: "SYSTEM" },
    { key: SYSTEM_VARIABLES.image, value: task.image, source: "SYSTEM" },
  ];
}

/** Sorted by key. Empty keys are dropped: no engine can pass them as an environment variable. */
export function taskRunVariables(run: RunForVariables, task: TaskRecord): VariableRecord[] {
  const winners = new Map<string, VariableRecord>();
  const candidates = [
    ...systemVariables(run, task),
    ...task.variables.map((v) => ({ ...v, source: "PIPELINE_CONFIG" as const })),
    ...run.variables,
  ];
  for (const variable of candidates) {
    if (variable.key === "") continue;
    const current = winners.get(variable.key);
    // Equal rank: the later one wins (a list with a key twice behaves as a map would).
    if (!current || RANK[variable.source] >= RANK[current.source]) {
      winners.set(variable.key, { key: variable.key, value: variable.value, source: variable.source });
    }
  }
  return [...winners.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export function toEnv(variables: readonly VariableRecord[]): Record<string, string> {
  return Object.fromEntries(variables.map((v) => [v.key, v.value]));
}
