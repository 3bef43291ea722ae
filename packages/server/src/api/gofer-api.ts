// The proto.Gofer service: thin handlers that resolve the caller's namespace, convert proto ⇄ domain, and call the
// services.
import {
  GetTaskRunLogsResponse,
  type GoferServer,
  GoferService,
  ListEventsResponse,
  Namespace as ProtoNamespace,
  Pipeline as ProtoPipeline,
  Trigger as ProtoTrigger,
  type StartRunResponse,
} from "@gofer/proto";
import type * as grpc from "@grpc/grpc-js";
import type { Kysely } from "kysely";
import { canAccessNamespace } from "../auth/auth-context.js";
import type { CommonTaskRegistry } from "../common-tasks/common-task-registry.js";
import { FailedPreconditionError, InvalidArgumentError, NotFoundError } from "../errors.js";
import { followEvents } from "../events/event-feed.js";
import type { EventLog } from "../events/event-log.js";
import type { NamespaceService } from "../namespaces/namespace-service.js";
import { validatePipelineConfig } from "../pipelines/pipeline-config.js";
import type { PipelineService } from "../pipelines/pipeline-service.js";
import { pipelineEventOutcomes, triggerEventOutcomes } from "../storage/event-outcome-counts.js";
import { getEvent } from "../storage/event-repository.js";
import type { NamespaceRow, Schema } from "../storage/schema.js";
import type { TriggerRuntime } from "../triggers/trigger-runtime.js";
import { toSafeId } from "../validation/input-limits.js";
import { fitAnswer } from "./answer-budget.js";
import type { CallContext } from "./call-context.js";
import { createCommonTasksApi } from "./common-tasks-api.js";
import { toVisibleProtoEvent } from "./event-access.js";
import { type HandlerDeps, serverStream, unary } from "./handlers.js";
import { toProtoNamespace, toProtoPipeline, toProtoTrigger } from "./proto-convert.js";
import {
  checkCreateTokenRequest,
  checkInstallInstructionsRequest,
  checkInstallTriggerRequest,
  checkNamespaceRequest,
  checkPipelineConfigRequest,
  checkStartRunRequest,
} from "./request-validation.js";
import type { RunsApi } from "./runs-api.js";
import { createStoresApi, type StoresApiDeps } from "./stores-api.js";
import type { TokensApi } from "./tokens-api.js";

export interface GoferApiDeps extends HandlerDeps {
  db: Kysely<Schema>;
  namespaces: NamespaceService;
  pipelines: PipelineService;
  triggers: TriggerRuntime;
  eventLog: EventLog;
  runs: RunsApi;
  tokens: TokensApi;
  system: {
    commit: string;
    semver: string;
    devMode: boolean;
    ingressEnabled(): boolean;
    setIngress(enabled: boolean): void;
  };
  resultsLimit: number;
  stores: StoresApiDeps;
  commonTasks: CommonTaskRegistry;
  /** Runs waiting for a parallelism slot (GetPipeline, GetSystemInfo); absent reads as none. */
  runQueue?: {
    readonly queueDepth: number;
    activity(namespaceId: string, pipelineId: string): { queued: number };
  };
}

function toBigCounts(counts: Record<string, number>): Record<string, bigint> {
  return Object.fromEntries(Object.entries(counts).map(([key, value]) => [key, BigInt(value)]));
}

const path = (method: keyof typeof GoferService) => GoferService[method].path;

/** InstallTrigger variable that chooses the kind (trigger | extension) instead of detecting it. Not stored. */
export const INSTALL_KIND_VARIABLE = "GOFER_INSTALL_KIND";

export function createGoferApi(deps: GoferApiDeps): GoferServer {
  const u = <Req, Res>(
    method: keyof typeof GoferService,
    handle: (request: Req, context: CallContext) => Promise<Res>,
  ) => unary<Req, Res>(deps, path(method), handle);

  return {
    // ---- system ------------------------------------------------------------------------------------------------
    getSystemInfo: u("getSystemInfo", async () => ({
      commit: deps.system.commit,
      devModeEnabled: deps.system.devMode,
      semver: deps.system.semver,
      queuedRuns: BigInt(deps.runQueue?.queueDepth ?? 0),
    })),
    toggleEventIngress: u("toggleEventIngress", async (_req, ctx) => {
      ctx.requireManagement("toggle event ingress");
      const accepting = !deps.system.ingressEnabled();
      deps.system.setIngress(accepting);
      // As v0.4.1, the answer is the new value of the *ignore* flag: true means trigger events are now ignored.
      return { value: !accepting };
    }),
    repairOrphan: u("repairOrphan", async (req: { namespaceId: string; pipelineId: string; runId: bigint }, ctx) => {
      ctx.requireManagement("repair orphaned runs");
      await deps.runs.repairOrphan({
        namespaceId: ctx.namespace(req.namespaceId),
        pipelineId: req.pipelineId,
        runId: toSafeId("run_id", req.runId),
      });
      return {};
    }),

    // ---- tokens ------------------------------------------------------------------------------------------------
    createToken: u("createToken", async (req, ctx) => {
      ctx.requireManagement("create tokens");
      checkCreateTokenRequest(req);
      return deps.tokens.create(req, ctx);
    }),
    bootstrapToken: u("bootstrapToken", () => deps.tokens.bootstrap()),
    listTokens: u("listTokens", (req, ctx) => deps.tokens.list(req, ctx)),
    getToken: u("getToken", (req, ctx) => deps.tokens.get(req, ctx)),
    enableToken: u("enableToken", (req, ctx) => deps.tokens.enable(req, ctx)),
    disableToken: u("disableToken", (req, ctx) => deps.tokens.disable(req, ctx)),
    deleteToken: u("deleteToken", (req, ctx) => deps.tokens.delete(req, ctx)),

    // ---- namespaces --------------------------------------------------------------------------------------------
    listNamespaces: u("listNamespaces", async (req, ctx) => ({
      namespaces: fitAnswer((await listVisibleNamespaces(deps, ctx, req)).map(toProtoNamespace), {
        size: (n) => ProtoNamespace.encode(n).finish().length,
        describe: (n) => `namespace ${n.id}`,
        logger: deps.logger,
      }),
    })),
    createNamespace: u("createNamespace", async (req, ctx) => {
      ctx.requireManagement("create namespaces");
      checkNamespaceRequest(req);
      return { namespace: toProtoNamespace(await deps.namespaces.create(req.id, req.name, req.description)) };
    }),
    getNamespace: u("getNamespace", async (req, ctx) => ({
      namespace: toProtoNamespace(await deps.namespaces.get(ctx.namespace(req.id))),
    })),
    updateNamespace: u("updateNamespace", async (req, ctx) => {
      ctx.requireManagement("update namespaces");
      checkNamespaceRequest(req);
      await deps.namespaces.update(req.id, req.name, req.description);
      return {};
    }),
    deleteNamespace: u("deleteNamespace", async (req, ctx) => {
      ctx.requireManagement("delete namespaces");
      await deps.namespaces.delete(req.id);
      return {};
    }),

    // ---- pipelines ---------------------------------------------------------------------------------------------
    getPipeline: u("getPipeline", async (req, ctx) => {
      const pipeline = toProtoPipeline(await deps.pipelines.get(ctx.namespace(req.namespaceId), req.id));
      const outcomes = await pipelineEventOutcomes(deps.db, pipeline.namespace, pipeline.id);
      pipeline.eventOutcomes = toBigCounts(outcomes);
      pipeline.queuedRuns = BigInt(deps.runQueue?.activity(pipeline.namespace, pipeline.id).queued ?? 0);
      return { pipeline };
    }),
    listPipelines: u("listPipelines", async (req, ctx) => ({
      pipelines: fitAnswer(
        (await deps.pipelines.list(ctx.namespace(req.namespaceId), Number(req.offset), Number(req.limit))).map(
          toProtoPipeline,
        ),
        {
          size: (p) => ProtoPipeline.encode(p).finish().length,
          // Rows stored before the input limits may carry a description of megabytes; the listing says so.
          shrink: (p) => ({ ...p, description: `(description of ${p.description.length} characters left out)` }),
          describe: (p) => `pipeline ${p.namespace}/${p.id}`,
          logger: deps.logger,
        },
      ),
    })),
    enablePipeline: u("enablePipeline", async (req, ctx) => {
      await deps.pipelines.setState(ctx.namespace(req.namespaceId), req.id, "ACTIVE");
      return {};
    }),
    disablePipeline: u("disablePipeline", async (req, ctx) => {
      await deps.pipelines.setState(ctx.namespace(req.namespaceId), req.id, "DISABLED");
      return {};
    }),
    createPipeline: u("createPipeline", async (req, ctx) => {
      if (!req.pipelineConfig) throw new InvalidArgumentError("request missing required field: pipeline_config");
      const definition = validatePipelineConfig(checkPipelineConfigRequest(req.pipelineConfig));
      return { pipeline: toProtoPipeline(await deps.pipelines.create(ctx.namespace(req.namespaceId), definition)) };
    }),
    updatePipeline: u("updatePipeline", async (req, ctx) => {
      if (!req.pipelineConfig) throw new InvalidArgumentError("request missing required field: pipeline_config");
      const definition = validatePipelineConfig(checkPipelineConfigRequest(req.pipelineConfig));
      return { pipeline: toProtoPipeline(await deps.pipelines.update(ctx.namespace(req.namespaceId), definition)) };
    }),
    deletePipeline: u("deletePipeline", async (req, ctx) => {
      await deps.pipelines.delete(ctx.namespace(req.namespaceId), req.id);
      return {};
    }),

    // ---- runs and task runs ------------------------------------------------------------------------------------
    getRun: u("getRun", (req, ctx) => deps.runs.getRun(req, ctx)),
    listRuns: u("listRuns", (req, ctx) => deps.runs.listRuns(req, ctx)),
    // May answer in the v0.5 layout: see service-definition.ts.
    startRun: u("startRun", async (req, ctx) => {
      checkStartRunRequest(req);
      return deps.runs.startRun(req, ctx) as Promise<StartRunResponse>;
    }),
    retryRun: u("retryRun", (req, ctx) => deps.runs.retryRun(req, ctx)),
    cancelRun: u("cancelRun", (req, ctx) => deps.runs.cancelRun(req, ctx)),
    cancelAllRuns: u("cancelAllRuns", (req, ctx) => deps.runs.cancelAllRuns(req, ctx)),
    getTaskRun: u("getTaskRun", (req, ctx) => deps.runs.getTaskRun(req, ctx)),
    listTaskRuns: u("listTaskRuns", (req, ctx) => deps.runs.listTaskRuns(req, ctx)),
    cancelTaskRun: u("cancelTaskRun", (req, ctx) => deps.runs.cancelTaskRun(req, ctx)),
    getTaskRunLogs: serverStream(deps, path("getTaskRunLogs"), async (req, send, ctx) => {
      for await (const { line, lineNum } of deps.runs.taskRunLogs(req, ctx)) {
        await send(GetTaskRunLogsResponse.fromPartial({ logLine: line, lineNum: BigInt(lineNum) }));
      }
    }),
    deleteTaskRunLogs: u("deleteTaskRunLogs", (req, ctx) => deps.runs.deleteTaskRunLogs(req, ctx)),

    // ---- triggers ----------------------------------------------------------------------------------------------
    getTrigger: u("getTrigger", async (req) => {
      if (req.name === "") throw new FailedPreconditionError("name required");
      const trigger = toProtoTrigger(await deps.triggers.get(req.name));
      trigger.eventOutcomes = toBigCounts(await triggerEventOutcomes(deps.db, trigger.name));
      return { trigger };
    }),
    listTriggers: u("listTriggers", async () => ({
      triggers: fitAnswer((await deps.triggers.list()).map(toProtoTrigger), {
        size: (t) => ProtoTrigger.encode(t).finish().length,
        shrink: (t) => ({ ...t, documentation: "(documentation left out: too large to list; see GetTrigger)" }),
        describe: (t) => `trigger ${t.name}`,
        logger: deps.logger,
      }),
    })),
    getTriggerInstallInstructions: u("getTriggerInstallInstructions", async (req, ctx) => {
      ctx.requireManagement("read trigger install instructions");
      checkInstallInstructionsRequest(req);
      return { instructions: await deps.triggers.installInstructions(req.image, req.user, req.pass) };
    }),
    installTrigger: u("installTrigger", async (req, ctx) => {
      ctx.requireManagement("install triggers");
      checkInstallTriggerRequest(req);
      // The wire has no kind field: `gofer trigger install --kind` sends it as this reserved variable.
      const { [INSTALL_KIND_VARIABLE]: kind, ...variables } = req.variables;
      if (kind !== undefined && kind !== "trigger" && kind !== "extension") {
        throw new InvalidArgumentError(
          `${INSTALL_KIND_VARIABLE} = ${JSON.stringify(kind)}: use "trigger" or "extension"`,
        );
      }
      await deps.triggers.install({
        name: req.name,
        image: req.image,
        user: req.user,
        pass: req.pass,
        variables,
        ...(kind ? { kind } : {}),
      });
      return {};
    }),
    uninstallTrigger: u("uninstallTrigger", async (req, ctx) => {
      ctx.requireManagement("uninstall triggers");
      await deps.triggers.uninstall(req.name);
      return {};
    }),
    enableTrigger: u("enableTrigger", async (req, ctx) => {
      ctx.requireManagement("enable triggers");
      await deps.triggers.enable(req.name);
      return {};
    }),
    disableTrigger: u("disableTrigger", async (req, ctx) => {
      ctx.requireManagement("disable triggers");
      await deps.triggers.disable(req.name);
      return {};
    }),

    // ---- events ------------------------------------------------------------------------------------------------
    getEvent: u("getEvent", async (req, ctx) => {
      const row = await getEvent(deps.db, toSafeId("id", req.id));
      // Another namespace's event answers as if it did not exist, so its existence is not revealed either.
      const event = row && toVisibleProtoEvent(ctx.caller, row);
      if (!event) throw new NotFoundError(`event ${req.id} not found`);
      return { event };
    }),
    listEvents: serverStream(deps, path("listEvents"), async (req, send, ctx) => {
      const feed = followEvents(
        { db: deps.db, log: deps.eventLog },
        { reverse: req.reverse, follow: req.follow, pageSize: deps.resultsLimit },
        ctx.signal,
      );
      for await (const stored of feed) {
        const event = toVisibleProtoEvent(ctx.caller, stored);
        if (event) await send(ListEventsResponse.fromPartial({ event }));
      }
    }),

    // ---- secrets and objects (stores-api.ts) ----------------------------------------------------------------------
    ...createStoresApi(deps.stores, u),

    // ---- common tasks (common-tasks-api.ts) ---------------------------------------------------------------------
    ...createCommonTasksApi(deps.commonTasks, u),
  } satisfies Record<keyof GoferServer, grpc.UntypedHandleCall> as GoferServer;
}

/**
 * ListNamespaces: management callers page the table; a client token sees only the namespaces it may access, with
 * offset and limit counted among those.
 */
async function listVisibleNamespaces(
  deps: GoferApiDeps,
  ctx: CallContext,
  req: { offset: bigint; limit: bigint },
): Promise<NamespaceRow[]> {
  const offset = Math.max(0, Number(req.offset));
  if (ctx.caller.kind === "MANAGEMENT") return deps.namespaces.list(offset, Number(req.limit));
  const limit = Number(req.limit) <= 0 ? deps.resultsLimit : Math.min(Number(req.limit), deps.resultsLimit);
  const visible: NamespaceRow[] = [];
  for (let scanned = 0; ; ) {
    const page = await deps.namespaces.list(scanned, deps.resultsLimit);
    visible.push(...page.filter((n) => canAccessNamespace(ctx.caller, n.id)));
    scanned += page.length;
    if (page.length === 0 || page.length < deps.resultsLimit || visible.length >= offset + limit) break;
  }
  return visible.slice(offset, offset + limit);
}
