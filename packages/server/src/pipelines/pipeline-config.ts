// A pipeline config as the original SDK programs emit it (PipelineConfig, converted from proto by api/) → a
// PipelineDefinition, after the rules every Gofer tool shares (checkPipelineConfig: identifiers, duplicate task ids and
// trigger labels, unknown or circular depends_on, required fields, global secrets outside server-side config). Every
// problem is reported, one per line, naming the field and the value, e.g.
//   pipeline "a b": id "a b" must be 1-70 letters, digits, "_" or "-"
import { type CheckableTask, checkPipelineConfig, formatProblem } from "@gofer/pipeline-sdk/check";
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

const STATUS_BY_NUMBER: Record<number, RequiredParentStatus> = { 1: "ANY", 2: "SUCCESS", 3: "FAILURE" };

/** @throws InvalidArgumentError naming every problem, one per line. */
export function validatePipelineConfig(config: PipelineConfigInput): PipelineDefinition {
  const checkable = {
    ...config,
    tasks: config.tasks.map(
      (entry): CheckableTask =>
        entry.kind === "custom"
          ? { ...entry.task, kind: "custom" }
          : entry.kind === "common"
            ? { ...entry.task, kind: "common" }
            : entry,
    ),
  };
  const problems = checkPipelineConfig(checkable);
  if (problems.length > 0) {
    throw new InvalidArgumentError(problems.map((problem) => formatProblem(checkable, problem)).join("\n"));
  }

  const tasks: CustomTaskDefinition[] = [];
  const commonTasks: CommonTaskDefinition[] = [];
  for (const entry of config.tasks) {
    if (entry.kind === "custom") {
      const task = entry.task;
      tasks.push({
        id: task.id,
        description: task.description,
        image: task.image,
        registryAuth:
          task.registryAuth && (task.registryAuth.user || task.registryAuth.pass) ? { ...task.registryAuth } : null,
        dependsOn: parentStatuses(task.dependsOn),
        variables: Object.entries(task.variables).map(([key, value]) => ({ key, value, source: "PIPELINE_CONFIG" })),
        entrypoint: task.entrypoint.length > 0 ? [...task.entrypoint] : null,
        command: task.command.length > 0 ? [...task.command] : null,
      });
    } else if (entry.kind === "common") {
      commonTasks.push({
        name: entry.task.name,
        label: entry.task.label,
        description: entry.task.description,
        dependsOn: parentStatuses(entry.task.dependsOn),
        settings: { ...entry.task.settings },
      });
    }
  }
  return {
    id: config.id,
    name: config.name || config.id,
    description: config.description,
    parallelism: Number(config.parallelism),
    tasks,
    commonTasks,
    triggers: config.triggers.map((t) => ({ triggerName: t.name, label: t.label, settings: { ...t.settings } })),
  };
}

/** The statuses by name; checkPipelineConfig has refused any other value. */
function parentStatuses(
  dependsOn: Record<string, RequiredParentStatus | number>,
): Record<string, RequiredParentStatus> {
  return Object.fromEntries(
    Object.entries(dependsOn).map(([parent, status]) => [
      parent,
      typeof status === "number" ? (STATUS_BY_NUMBER[status] as RequiredParentStatus) : status,
    ]),
  );
}
