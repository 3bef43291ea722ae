// The checks `build()` runs before anything is printed, so a mistake shows up where the pipeline is written rather
// than as a refusal from the server. The rules are the server's (identifiers, unique ids and labels, known parents).
import type { PipelineConfig, RequiredParentStatus } from "./pipeline-config.js";

const IDENTIFIER = /^[A-Za-z0-9_-]{1,70}$/;
const IDENTIFIER_RULE = 'must be 1-70 letters, digits, "_" or "-"';
const PARENT_STATUSES: readonly RequiredParentStatus[] = ["ANY", "SUCCESS", "FAILURE"];

/** Every problem found in a pipeline config, one per line of the message. */
export class PipelineConfigError extends Error {
  override name = "PipelineConfigError";

  constructor(readonly problems: readonly string[]) {
    super(problems.join("\n"));
  }
}

export function validatePipelineConfig(config: PipelineConfig): void {
  const problems: string[] = [];
  const where = `pipeline ${JSON.stringify(config.id)}`;
  if (!IDENTIFIER.test(config.id)) problems.push(`${where}: id ${IDENTIFIER_RULE}`);
  if (config.name.trim() === "") problems.push(`${where}: name is required`);
  if (config.parallelism < 0n) problems.push(`${where}: parallelism must be 0 or more, got ${config.parallelism}`);

  const ids = config.tasks.map((task) => (task.kind === "custom" ? task.id : task.label));
  const seen = new Set<string>();
  config.tasks.forEach((task, index) => {
    const id = ids[index] as string;
    const taskWhere = `${where} task ${JSON.stringify(id)}`;
    if (!IDENTIFIER.test(id)) {
      problems.push(
        `${where}: tasks[${index}] ${task.kind === "custom" ? "id" : "label"} ${JSON.stringify(id)} ${IDENTIFIER_RULE}`,
      );
    }
    if (seen.has(id)) problems.push(`${where}: duplicate task id ${JSON.stringify(id)}`);
    seen.add(id);
    if (task.kind === "custom" && task.image.trim() === "") problems.push(`${taskWhere}: image is required`);
    if (task.kind === "common" && task.name.trim() === "") problems.push(`${taskWhere}: common task name is required`);
    for (const [parent, status] of Object.entries(task.dependsOn)) {
      if (parent === id) problems.push(`${taskWhere}: depends on itself`);
      else if (!ids.includes(parent)) problems.push(`${taskWhere}: depends on unknown task ${JSON.stringify(parent)}`);
      if (!PARENT_STATUSES.includes(status)) {
        problems.push(
          `${taskWhere}: depends_on ${JSON.stringify(parent)} has status ${JSON.stringify(status)}; use ANY, SUCCESS or FAILURE`,
        );
      }
    }
  });

  const labels = new Set<string>();
  for (const trigger of config.triggers) {
    const triggerWhere = `${where} trigger ${JSON.stringify(trigger.label)}`;
    if (trigger.name.trim() === "") problems.push(`${triggerWhere}: trigger name is required`);
    if (!IDENTIFIER.test(trigger.label)) problems.push(`${triggerWhere}: label ${IDENTIFIER_RULE}`);
    if (labels.has(trigger.label)) problems.push(`${where}: duplicate trigger label ${JSON.stringify(trigger.label)}`);
    labels.add(trigger.label);
  }
  if (problems.length > 0) throw new PipelineConfigError(problems);
}
