// The public API of @gofer/pipeline-sdk: describe a pipeline in TypeScript and print its PipelineConfig.
//
//   pipeline("hello", "Hello").tasks(customTask("greet", "alpine").command("echo", "hi")).finish();
export {
  type CheckablePipelineConfig,
  type CheckableTask,
  type CheckableTrigger,
  checkPipelineConfig,
  formatProblem,
  ID_PATTERN,
  ID_RULE,
  isValidId,
  type ParentStatusInput,
  type Problem,
} from "./check-pipeline-config.js";
export { CommonTask, commonTask } from "./common-task.js";
export { CustomTask, customTask } from "./custom-task.js";
export { encodePipelineConfig } from "./encode-pipeline-config.js";
export { globalSecret, pipelineObject, pipelineSecret, runObject } from "./interpolation.js";
export { type FinishOutput, Pipeline, pipeline } from "./pipeline.js";
export {
  type CommonTaskConfig,
  type CustomTaskConfig,
  PARAM_PREFIX,
  type PipelineConfig,
  type RegistryAuth,
  type RequiredParentStatus,
  settingKey,
  type TaskConfig,
  type TriggerConfig,
} from "./pipeline-config.js";
export { Trigger, trigger } from "./trigger.js";
export { PipelineConfigError, validatePipelineConfig } from "./validate-pipeline-config.js";
