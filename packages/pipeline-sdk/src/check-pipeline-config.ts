// The one set of pipeline-config rules, shared by the pipeline SDK (before it prints a config), the CLI (before it
// sends a pipeline file, adding line numbers by path) and the server (which refuses a config with INVALID_ARGUMENT).
// It imports nothing, so the CLI and server pay nothing for it. Every problem is collected, none thrown: a pipeline's
// author hears about all of them at once.

/** Pipeline ids, task ids and labels, trigger labels; also namespace ids, trigger and common task names. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,70}$/;
/** What a value failing ID_PATTERN is told: `id "a b" ${ID_RULE}`. */
export const ID_RULE = 'must be 1-70 letters, digits, "_" or "-"';

/** True when value may be a Gofer id (ID_PATTERN). */
export function isValidId(value: string): boolean {
  return ID_PATTERN.test(value);
}

/** One mistake: where (a field path in the PipelineConfig's wire names) and what, naming the field and its value. */
export interface Problem {
  /** e.g. "id", "tasks[2].depends_on.build", "triggers[0].label"; a task's fields are flattened out of its oneof. */
  readonly path: string;
  readonly message: string;
}

/** A parent's required status: the name, or the proto enum's number (1 ANY, 2 SUCCESS, 3 FAILURE). */
export type ParentStatusInput = string | number;

/** A pipeline config as the SDK builds it, the CLI reads it and the server receives it. */
export interface CheckablePipelineConfig {
  readonly id: string;
  readonly parallelism: bigint | number;
  readonly tasks: readonly CheckableTask[];
  readonly triggers: readonly CheckableTrigger[];
}

export type CheckableTask =
  | {
      readonly kind: "custom";
      readonly id: string;
      readonly image: string;
      readonly dependsOn: Readonly<Record<string, ParentStatusInput>>;
      readonly variables: Readonly<Record<string, string>>;
    }
  | {
      readonly kind: "common";
      readonly name: string;
      readonly label: string;
      readonly dependsOn: Readonly<Record<string, ParentStatusInput>>;
      readonly settings: Readonly<Record<string, string>>;
    }
  /** A PipelineTaskConfig whose oneof is unset (only the wire can send one). */
  | { readonly kind: "empty" };

export interface CheckableTrigger {
  readonly name: string;
  readonly label: string;
  readonly settings: Readonly<Record<string, string>>;
}

const PARENT_STATUSES = ["ANY", "SUCCESS", "FAILURE"];
// As the Go SDK's validateVariables: global secrets belong to server-side config (spec §9.3). Refused at create time
// so the author hears it then, not when a run reaches the task.
const GLOBAL_SECRET = /global_secret\{\{?\s*[^}]*\s*\}\}?/;

export function checkPipelineConfig(config: CheckablePipelineConfig): Problem[] {
  const problems: Problem[] = [];
  const problem = (path: string, message: string) => problems.push({ path, message });

  if (!isValidId(config.id)) problem("id", `id ${JSON.stringify(config.id)} ${ID_RULE}`);
  const parallelism = Number(config.parallelism);
  if (!Number.isSafeInteger(parallelism) || parallelism < 0) {
    problem(
      "parallelism",
      `parallelism must be a whole number, 0 or more (0 = the server's limit); got ${config.parallelism}`,
    );
  }

  const ids = config.tasks.map((task) => taskId(task));
  const edges = new Map<string, string[]>();
  config.tasks.forEach((task, index) => {
    const path = `tasks[${index}]`;
    if (task.kind === "empty") {
      problem(path, "sets neither custom_task nor common_task");
      return;
    }
    const id = taskId(task) as string;
    const idField = task.kind === "custom" ? "id" : "label";
    if (!isValidId(id)) problem(`${path}.${idField}`, `${idField} ${JSON.stringify(id)} ${ID_RULE}`);
    else if (ids.indexOf(id) < index) problem(`${path}.${idField}`, `duplicate task id ${JSON.stringify(id)}`);
    if (task.kind === "custom" && task.image.trim() === "") problem(`${path}.image`, "image is required");
    if (task.kind === "common" && task.name.trim() === "") problem(`${path}.name`, "common task name is required");

    const parents: string[] = [];
    for (const [parent, status] of Object.entries(task.dependsOn)) {
      const where = `${path}.depends_on.${parent}`;
      if (parent === id) problem(where, `depends_on ${JSON.stringify(parent)}: a task cannot depend on itself`);
      else if (!ids.includes(parent)) problem(where, `depends_on unknown task ${JSON.stringify(parent)}`);
      else parents.push(parent);
      if (!isParentStatus(status)) {
        problem(
          where,
          `depends_on ${JSON.stringify(parent)} has status ${JSON.stringify(status)}; use ANY, SUCCESS or FAILURE`,
        );
      }
    }
    if (!edges.has(id)) edges.set(id, parents);

    const [field, values] = task.kind === "custom" ? ["variable", task.variables] : ["setting", task.settings];
    for (const [key, value] of Object.entries(values)) {
      if (GLOBAL_SECRET.test(value)) {
        problem(
          `${path}.${field === "variable" ? "variables" : "settings"}.${key}`,
          `${field} ${JSON.stringify(key)}: global_secret{{…}} is not allowed in pipeline configuration; global secrets are for trigger and common task install config`,
        );
      }
    }
  });
  const cycle = findCycle(edges);
  if (cycle) problem("tasks", `tasks depend on each other in a cycle: ${cycle.join(" → ")}`);

  const labels = new Set<string>();
  config.triggers.forEach((trigger, index) => {
    const path = `triggers[${index}]`;
    if (trigger.name.trim() === "") problem(`${path}.name`, "trigger name is required");
    if (!isValidId(trigger.label)) problem(`${path}.label`, `label ${JSON.stringify(trigger.label)} ${ID_RULE}`);
    else if (labels.has(trigger.label))
      problem(`${path}.label`, `duplicate trigger label ${JSON.stringify(trigger.label)}`);
    labels.add(trigger.label);
    for (const [key, value] of Object.entries(trigger.settings)) {
      if (GLOBAL_SECRET.test(value)) {
        problem(
          `${path}.settings.${key}`,
          `setting ${JSON.stringify(key)}: global_secret{{…}} is not allowed in pipeline settings`,
        );
      }
    }
  });
  return problems;
}

/**
 * A problem as one line for a pipeline known by its config, e.g. `pipeline "p" task "build": image is required`:
 * the task or trigger it is in named by its id or label (or its index when that is empty).
 */
export function formatProblem(config: CheckablePipelineConfig, problem: Problem): string {
  const match = /^(tasks|triggers)\[(\d+)\]/.exec(problem.path);
  let scope = "";
  if (match?.[1] === "tasks") {
    const task = config.tasks[Number(match[2])];
    const id = task ? taskId(task) : undefined;
    scope = id ? ` task ${JSON.stringify(id)}` : ` ${match[0]}`;
  } else if (match?.[1] === "triggers") {
    const label = config.triggers[Number(match[2])]?.label;
    scope = label ? ` trigger label ${JSON.stringify(label)}` : ` ${match[0]}`;
  }
  return `pipeline ${JSON.stringify(config.id)}${scope}: ${problem.message}`;
}

function taskId(task: CheckableTask): string | undefined {
  return task.kind === "custom" ? task.id : task.kind === "common" ? task.label : undefined;
}

function isParentStatus(status: ParentStatusInput): boolean {
  return typeof status === "number" ? status >= 1 && status <= 3 : PARENT_STATUSES.includes(status);
}

/** A dependency cycle as a path of task ids (first id repeated at the end), or undefined. */
function findCycle(parents: ReadonlyMap<string, readonly string[]>): string[] | undefined {
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
  for (const id of parents.keys()) {
    const found = visit(id);
    if (found) return found;
  }
  return undefined;
}
