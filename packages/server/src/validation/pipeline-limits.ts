// The size and name rules of input-limits.ts applied to a whole pipeline config, before pipeline-config.ts checks
// its meaning (identifiers, dependencies, cycles). Sizes come first so that no later message quotes a huge value.
import type { PipelineConfigInput } from "../pipelines/pipeline-config.js";
import {
  checkArguments,
  checkBytes,
  checkCount,
  checkDescription,
  checkEnvMap,
  checkImage,
  checkName,
  checkNoNul,
  INPUT_LIMITS,
  quoteValue,
} from "./input-limits.js";

/** @throws InvalidArgumentError naming the field, its size and the limit. */
export function checkPipelineConfigLimits(config: PipelineConfigInput): void {
  checkName("pipeline config id", config.id);
  const where = `pipeline ${quoteValue(config.id)}`;
  checkName(`${where}: name`, config.name);
  checkDescription(`${where}: description`, config.description);
  checkCount(where, config.tasks.length, INPUT_LIMITS.tasksPerPipeline, "tasks");
  checkCount(where, config.triggers.length, INPUT_LIMITS.triggersPerPipeline, "triggers");

  config.tasks.forEach((entry, index) => {
    if (entry.kind === "empty") return;
    const id = entry.kind === "custom" ? entry.task.id : entry.task.label;
    checkName(`${where}: tasks[${index}] ${entry.kind === "custom" ? "id" : "label"}`, id);
    const taskWhere = `${where} task ${quoteValue(id)}:`;
    checkDescription(`${taskWhere} description`, entry.task.description);
    checkCount(
      `${taskWhere} depends_on`,
      Object.keys(entry.task.dependsOn).length,
      INPUT_LIMITS.tasksPerPipeline,
      "entries",
    );
    for (const parent of Object.keys(entry.task.dependsOn)) checkName(`${taskWhere} depends_on`, parent);
    if (entry.kind === "custom") {
      const task = entry.task;
      checkImage(`${taskWhere} image`, task.image);
      if (task.registryAuth) {
        checkName(`${taskWhere} registry_auth user`, task.registryAuth.user);
        checkBytes(`${taskWhere} registry_auth pass`, task.registryAuth.pass, INPUT_LIMITS.valueBytes);
        checkNoNul(`${taskWhere} registry_auth pass`, task.registryAuth.pass);
      }
      checkEnvMap(`${taskWhere} variables`, task.variables);
      checkArguments(`${taskWhere} entrypoint`, task.entrypoint);
      checkArguments(`${taskWhere} command`, task.command);
    } else {
      checkName(`${taskWhere} name`, entry.task.name);
      checkEnvMap(`${taskWhere} settings`, entry.task.settings);
    }
  });

  config.triggers.forEach((trigger, index) => {
    checkName(`${where}: triggers[${index}] name`, trigger.name);
    checkName(`${where}: triggers[${index}] label`, trigger.label);
    checkEnvMap(`${where} trigger ${quoteValue(trigger.label)}: settings`, trigger.settings);
  });
}
