// proto.Gofer handlers for common tasks (spec §9.5). Reading (Get/List) is open to every token, as the original;
// changing anything, and running an image's installer, needs a management token (the original let any token
// install arbitrary images, §9.7 S13). Install config values are shown to management tokens only: they may hold
// credentials. The registry password is never sent back.
import {
  CommonTaskRegistration_Status,
  type DisableCommonTaskRequest,
  type EnableCommonTaskRequest,
  type GetCommonTaskInstallInstructionsRequest,
  type GetCommonTaskRequest,
  type InstallCommonTaskRequest,
  CommonTaskRegistration as ProtoCommonTaskRegistration,
  type UninstallCommonTaskRequest,
} from "@gofer/proto";
import type * as grpc from "@grpc/grpc-js";
import type { CommonTaskRegistry } from "../common-tasks/common-task-registry.js";
import type { CommonTaskRegistrationRow } from "../storage/schema.js";
import type { CallContext } from "./call-context.js";
import { checkInstallCommonTaskRequest, checkInstallInstructionsRequest } from "./request-validation.js";
import type { Unary } from "./stores-api.js";

type CommonTaskMethods =
  | "getCommonTask"
  | "listCommonTasks"
  | "getCommonTaskInstallInstructions"
  | "installCommonTask"
  | "uninstallCommonTask"
  | "enableCommonTask"
  | "disableCommonTask";

export function toProtoCommonTask(row: CommonTaskRegistrationRow, ctx: CallContext): ProtoCommonTaskRegistration {
  const management = ctx.caller.kind === "MANAGEMENT";
  return ProtoCommonTaskRegistration.fromPartial({
    name: row.name,
    image: row.image,
    user: row.registry_auth?.user ?? "",
    pass: "",
    variables: row.variables.map((v) => ({ key: v.key, value: management ? v.value : "", source: v.source })),
    created: BigInt(row.created),
    status: row.status === "ENABLED" ? CommonTaskRegistration_Status.ENABLED : CommonTaskRegistration_Status.DISABLED,
    documentation: row.documentation,
  });
}

export function createCommonTasksApi(
  registry: CommonTaskRegistry,
  u: Unary,
): Record<CommonTaskMethods, grpc.UntypedHandleCall> {
  return {
    getCommonTask: u("getCommonTask", async (req: GetCommonTaskRequest, ctx) => ({
      commonTask: toProtoCommonTask(await registry.get(req.name), ctx),
    })),
    listCommonTasks: u("listCommonTasks", async (_req: unknown, ctx) => ({
      commonTasks: (await registry.list()).map((row) => toProtoCommonTask(row, ctx)),
    })),
    getCommonTaskInstallInstructions: u(
      "getCommonTaskInstallInstructions",
      async (req: GetCommonTaskInstallInstructionsRequest, ctx) => {
        ctx.requireManagement("read common task install instructions");
        checkInstallInstructionsRequest(req);
        return { instructions: await registry.installInstructions(req.image, req.user, req.pass) };
      },
    ),
    installCommonTask: u("installCommonTask", async (req: InstallCommonTaskRequest, ctx) => {
      ctx.requireManagement("install common tasks");
      checkInstallCommonTaskRequest(req);
      await registry.install({
        name: req.name,
        image: req.image,
        user: req.user,
        pass: req.pass,
        variables: { ...req.variables },
        documentation: req.documentation,
      });
      return {};
    }),
    uninstallCommonTask: u("uninstallCommonTask", async (req: UninstallCommonTaskRequest, ctx) => {
      ctx.requireManagement("uninstall common tasks");
      await registry.uninstall(req.name);
      return {};
    }),
    enableCommonTask: u("enableCommonTask", async (req: EnableCommonTaskRequest, ctx) => {
      ctx.requireManagement("enable common tasks");
      await registry.setStatus(req.name, "ENABLED");
      return {};
    }),
    disableCommonTask: u("disableCommonTask", async (req: DisableCommonTaskRequest, ctx) => {
      ctx.requireManagement("disable common tasks");
      await registry.setStatus(req.name, "DISABLED");
      return {};
    }),
  };
}
