// Validates a pipeline config as the original SDK programs emit it (PipelineConfig, converted from proto by api/)
// into a PipelineDefinition. Every error names the field and the value, e.g.
//   pipeline "a b": id must be 1-70 letters, digits, "_" or "-"
// Checks: identifiers, duplicate task ids and trigger labels, unknown depends_on targets, dependency cycles,
// required fields, and global secrets in trigger settings (allowed only in server-side config, as the original).
import { InvalidArgumentError } from "../errors.js";

export type RequiredParentStatus = "ANY" | "SUCCESS" | "FAILURE";

export interface CustomTaskConfigInput {
  id: string;
  description: string;
  image: string;
  registryAuth?: { user: string; pass: string } | undefined;
  /** parent task id → required status; a number is the proto enum value (1 ANY, 2 SUCCESS, 3 FAILURE). */
  dependsOn: Record<string, RequiredParentStatus | number>;
  variables: Record<string, string>;
  entrypoint: string[];
  command: string[];
}

export interface CommonTaskConfigInput {
  name: string;
  label: string;
  description: string;
  dependsOn: Record<string, RequiredParentStatus | number>;
  settings: Record<string, string>;
}

export interface PipelineConfigInput {
  id: string;
  name: string;
  description: string;
  parallelism: number | bigint;
  tasks: Array<
    | { kind: "custom"; task: CustomTaskConfigInput }
    | { kind: "common"; task: CommonTaskConfigInput }
    | { kind: "empty" }
  >;
  triggers: Array<{ name: string; label: string; settings: Record<string, string> }>;
}

export interface CustomTaskDefinition {
  id: string;
  description: string;
  image: string;
  registryAuth: { user: string; pass: string } | null;
  dependsOn: Record<string, RequiredParentStatus>;
  variables: Array<{ key: string; value: string; source: "PIPELINE_CONFIG" }>;
  entrypoint: string[] | null;
  command: string[] | null;
}

export interface CommonTaskDefinition {
  name: string;
  label: string;
  description: string;
  dependsOn: Record<string, RequiredParentStatus>;
  settings: Record<string, string>;
}

export interface TriggerSubscriptionDefinition {
  triggerName: string;
  label: string;
  settings: Record<string, string>;
}

export interface PipelineDefinition {
  id: string;
  name: string;
  description: string;
  parallelism: number;
  tasks: CustomTaskDefinition[];
  commonTasks: CommonTaskDefinition[];
  triggers: TriggerSubscriptionDefinition[];
}

const IDENTIFIER = /^[A-Za-z0-9_-]{1,70}$/;
const IDENTIFIER_RULE = 'must be 1-70 letters, digits, "_" or "-"';
const STATUS_BY_NUMBER: Record<number, RequiredParentStatus> = { 1: "ANY", 2: "SUCCESS", 3: "FAILURE" };
const GLOBAL_SECRET = /global_secret\{\{?\s*[^}]*\s*\}\}?/;

export function checkIdentifier(what: string, value: string): void {
  if (!IDENTIFIER.test(value)) throw new InvalidArgumentError(`${what} ${JSON.stringify(value)} ${IDENTIFIER_RULE}`);
}

function requiredStatus(where: string, parent: string, value: RequiredParentStatus | number): RequiredParentStatus {
  const status = typeof value === "number" ? STATUS_BY_NUMBER[value] : value;
  if (status !== "ANY" && status !== "SUCCESS" && status !== "FAILURE") {
    throw new InvalidArgumentError(
      `${where}: depends_on "${parent}" has required status ${JSON.stringify(value)}; use ANY, SUCCESS or FAILURE`,
    );
  }
  return status;
}

export function validatePipelineConfig(config: PipelineConfigInput): PipelineDefinition {
  const where = `pipeline ${JSON.stringify(config.id)}`;
  if (config.id === "") throw new InvalidArgumentError("pipeline config: id is required");
  if (!IDENTIFIER.test(config.id)) throw new InvalidArgumentError(`${where}: id ${IDENTIFIER_RULE}`);
  const parallelism = Number(config.parallelism);
  if (!Number.isSafeInteger(parallelism) || parallelism < 0) {
    throw new InvalidArgumentError(
      `${where}: parallelism must be 0 (the server's limit) or more, got ${config.parallelism}`,
    );
  }

  const tasks: CustomTaskDefinition[] = [];
  const commonTasks: CommonTaskDefinition[] = [];
  const seen = new Set<string>();
  config.tasks.forEach((entry, index) => {
    if (entry.kind === "empty") {
      throw new InvalidArgumentError(`${where}: tasks[${index}] sets neither custom_task nor common_task`);
    }
    const id = entry.kind === "custom" ? entry.task.id : entry.task.label;
    const taskWhere = `${where} task ${JSON.stringify(id)}`;
    if (!IDENTIFIER.test(id)) {
      throw new InvalidArgumentError(
        `${where}: tasks[${index}] ${entry.kind === "custom" ? "id" : "label"} ${JSON.stringify(id)} ${IDENTIFIER_RULE}`,
      );
    }
    if (seen.has(id)) throw new InvalidArgumentError(`${where}: duplicate task id ${JSON.stringify(id)}`);
    seen.add(id);
    const dependsOn: Record<string, RequiredParentStatus> = {};
    for (const [parent, status] of Object.entries(entry.task.dependsOn)) {
      dependsOn[parent] = requiredStatus(taskWhere, parent, status);
    }
    // As the Go SDK's validateVariables: global secrets belong to server-side config (spec §9.3). Refused here so
    // the author hears it at create time, not when a run reaches the task.
    const values = entry.kind === "custom" ? entry.task.variables : entry.task.settings;
    for (const [key, value] of Object.entries(values)) {
      if (GLOBAL_SECRET.test(value)) {
        throw new InvalidArgumentError(
          `${taskWhere} ${entry.kind === "custom" ? "variable" : "setting"} ${JSON.stringify(key)}: global_secret{{…}} is not allowed in pipeline configuration; global secrets are for trigger and common task install config`,
        );
      }
    }
    if (entry.kind === "custom") {
      const task = entry.task;
      if (task.image.trim() === "") throw new InvalidArgumentError(`${taskWhere}: image is required`);
      tasks.push({
        id,
        description: task.description,
        image: task.image,
        registryAuth:
          task.registryAuth && (task.registryAuth.user || task.registryAuth.pass) ? { ...task.registryAuth } : null,
        dependsOn,
        variables: Object.entries(task.variables).map(([key, value]) => ({ key, value, source: "PIPELINE_CONFIG" })),
        entrypoint: task.entrypoint.length > 0 ? [...task.entrypoint] : null,
        command: task.command.length > 0 ? [...task.command] : null,
      });
    } else {
      if (entry.task.name === "") throw new InvalidArgumentError(`${taskWhere}: common task name is required`);
      commonTasks.push({
        name: entry.task.name,
        label: id,
        description: entry.task.description,
        dependsOn,
        settings: { ...entry.task.settings },
      });
    }
  });

  const allTasks = [
    ...tasks.map((t) => ({ id: t.id, dependsOn: t.dependsOn })),
    ...commonTasks.map((t) => ({ id: t.label, dependsOn: t.dependsOn })),
  ];
  for (const task of allTasks) {
    for (const parent of Object.keys(task.dependsOn)) {
      if (!seen.has(parent)) {
        throw new InvalidArgumentError(
          `${where} task ${JSON.stringify(task.id)}: depends_on unknown task ${JSON.stringify(parent)}`,
        );
      }
      if (parent === task.id)
        throw new InvalidArgumentError(`${where} task ${JSON.stringify(task.id)}: depends on itself`);
    }
  }
  const cycle = findCycle(allTasks);
  if (cycle) throw new InvalidArgumentError(`${where}: tasks depend on each other in a cycle: ${cycle.join(" → ")}`);

  const labels = new Set<string>();
  const triggers = config.triggers.map((trigger, index) => {
    if (trigger.name === "") throw new InvalidArgumentError(`${where}: triggers[${index}] name is required`);
    if (!IDENTIFIER.test(trigger.label)) {
      throw new InvalidArgumentError(
        `${where}: triggers[${index}] (${trigger.name}) label ${JSON.stringify(trigger.label)} ${IDENTIFIER_RULE}`,
      );
    }
    if (labels.has(trigger.label))
      throw new InvalidArgumentError(`${where}: duplicate trigger label ${JSON.stringify(trigger.label)}`);
    labels.add(trigger.label);
    for (const [key, value] of Object.entries(trigger.settings)) {
      if (GLOBAL_SECRET.test(value)) {
        throw new InvalidArgumentError(
          `${where} trigger ${JSON.stringify(trigger.label)} setting ${JSON.stringify(key)}: global_secret{{…}} is not allowed in pipeline settings`,
        );
      }
    }
    return { triggerName: trigger.name, label: trigger.label, settings: { ...trigger.settings } };
  });

  return {
    id: config.id,
    name: config.name || config.id,
    description: config.description,
    parallelism,
    tasks,
    commonTasks,
    triggers,
  };
}

/** A dependency cycle as a path of task ids (first id repeated at the end), or undefined. */
function findCycle(tasks: Array<{ id: string; dependsOn: Record<string, unknown> }>): string[] | undefined {
  const parents = new Map(tasks.map((t) => [t.id, Object.keys(t.dependsOn)]));
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === "done") return undefined;
    if (state.get(id) === "visiting") return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, "visiting");
    stack.push(id);
    for (const parent of parents.get(id) ?? []) {
      const found = visit(parent);
      if (found) return found;
    }
    stack.pop();
    state.set(id, "done");
    return undefined;
  };
  for (const task of tasks) {
    const found = visit(task.id);
    if (found) return found;
  }
  return undefined;
}
