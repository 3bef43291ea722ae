// The API's checks of what a caller sends, per entry point, before any handler stores anything. The rules and the
// numbers live in validation/input-limits.ts; this file applies them to the proto requests (proto types stay in api/).
import {
  type CreateNamespaceRequest,
  type CreateTokenRequest,
  type GetTriggerInstallInstructionsRequest,
  type InstallCommonTaskRequest,
  type InstallTriggerRequest,
  PipelineConfig,
  type StartRunRequest,
  type UpdateNamespaceRequest,
} from "@gofer/proto";
import { InvalidArgumentError } from "../errors.js";
import type { PipelineConfigInput } from "../pipelines/pipeline-config.js";
import {
  checkBytes,
  checkCount,
  checkDescription,
  checkEnvMap,
  checkImage,
  checkName,
  checkNoNul,
  checkTextMap,
  INPUT_LIMITS,
  quoteValue,
} from "../validation/input-limits.js";
import { checkPipelineConfigLimits } from "../validation/pipeline-limits.js";
import { fromProtoPipelineConfig } from "./proto-convert.js";

/** Create/UpdatePipeline: the whole config's size, then every field's. @returns the config in domain form. */
export function checkPipelineConfigRequest(config: PipelineConfig): PipelineConfigInput {
  const size = PipelineConfig.encode(config).finish().length;
  if (size > INPUT_LIMITS.pipelineConfigBytes) {
    throw new InvalidArgumentError(
      `pipeline ${quoteValue(config.id)}: config is ${size} bytes; the limit is ${INPUT_LIMITS.pipelineConfigBytes} bytes`,
    );
  }
  const input = fromProtoPipelineConfig(config);
  checkPipelineConfigLimits(input);
  return input;
}

export function checkStartRunRequest(request: StartRunRequest): void {
  checkName("pipeline_id", request.pipelineId);
  checkEnvMap("run variables", request.variables);
}

export function checkInstallTriggerRequest(request: InstallTriggerRequest): void {
  checkName("trigger name", request.name);
  checkImage(`trigger ${JSON.stringify(request.name)}: image`, request.image);
  checkRegistryAuth(`trigger ${JSON.stringify(request.name)}:`, request.user, request.pass);
  checkEnvMap(`trigger ${JSON.stringify(request.name)}: variables`, request.variables);
}

/** Ready for when common tasks are built: the same rules as a trigger's install, plus bounded documentation. */
export function checkInstallCommonTaskRequest(request: InstallCommonTaskRequest): void {
  checkName("common task name", request.name);
  checkImage(`common task ${JSON.stringify(request.name)}: image`, request.image);
  checkRegistryAuth(`common task ${JSON.stringify(request.name)}:`, request.user, request.pass);
  checkEnvMap(`common task ${JSON.stringify(request.name)}: variables`, request.variables);
  checkBytes(
    `common task ${JSON.stringify(request.name)}: documentation`,
    request.documentation,
    INPUT_LIMITS.valueBytes,
  );
}

export function checkInstallInstructionsRequest(request: GetTriggerInstallInstructionsRequest): void {
  checkImage("image", request.image);
  checkRegistryAuth("", request.user, request.pass);
}

export function checkNamespaceRequest(request: CreateNamespaceRequest | UpdateNamespaceRequest): void {
  checkName("namespace id", request.id);
  checkName(`namespace ${JSON.stringify(request.id)}: name`, request.name);
  checkDescription(`namespace ${JSON.stringify(request.id)}: description`, request.description);
}

export function checkCreateTokenRequest(request: CreateTokenRequest): void {
  checkCount("token namespaces", request.namespaces.length, INPUT_LIMITS.namespacesPerToken, "entries");
  for (const namespace of request.namespaces) checkName("token namespace", namespace);
  checkTextMap("token metadata", request.metadata);
}

function checkRegistryAuth(where: string, user: string, pass: string): void {
  const prefix = where === "" ? "" : `${where} `;
  checkName(`${prefix}registry user`, user);
  checkBytes(`${prefix}registry password`, pass, INPUT_LIMITS.valueBytes);
  checkNoNul(`${prefix}registry password`, pass);
}
