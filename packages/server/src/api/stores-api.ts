// proto.Gofer handlers for the secret store and the object store (spec §9.1, §9.2). Pipeline secrets and all objects:
// any token of the namespace; global secrets: management tokens only (spec §9.1). A secret value leaves the server
// only in Get*Secret with include_secret; it is never logged (errors name keys, never values).
import type {
  DeleteGlobalSecretRequest,
  DeletePipelineObjectRequest,
  DeletePipelineSecretRequest,
  DeleteRunObjectRequest,
  GetGlobalSecretRequest,
  GetPipelineObjectRequest,
  GetPipelineSecretRequest,
  GetRunObjectRequest,
  GoferService,
  ListPipelineObjectsRequest,
  ListPipelineSecretsRequest,
  ListRunObjectsRequest,
  PutGlobalSecretRequest,
  PutPipelineObjectRequest,
  PutPipelineSecretRequest,
  PutRunObjectRequest,
} from "@gofer/proto";
import type * as grpc from "@grpc/grpc-js";
import type { Kysely } from "kysely";
import { FailedPreconditionError, NotFoundError } from "../errors.js";
import type { EventLog } from "../events/event-log.js";
import { getNamespace } from "../storage/namespace-repository.js";
import { getPipeline } from "../storage/pipeline-repository.js";
import { getRun } from "../storage/run-repository.js";
import type { Schema } from "../storage/schema.js";
import type { ObjectStore, RunRef } from "../stores/object-store.js";
import type { PipelineRef, SecretStore } from "../stores/secret-store.js";
import type { CallContext } from "./call-context.js";

export interface StoresApiDeps {
  db: Kysely<Schema>;
  secrets: SecretStore;
  objects: ObjectStore;
  eventLog: EventLog;
}

/** createGoferApi's adapter: authenticate, then run the handler (handlers.ts). */
export type Unary = <Req, Res>(
  method: keyof typeof GoferService,
  handle: (request: Req, context: CallContext) => Promise<Res>,
) => grpc.handleUnaryCall<Req, Res>;

const big = (n: number) => BigInt(n);
const keyOut = (k: { key: string; created: number }) => ({ key: k.key, created: big(k.created) });

type StoreMethods =
  | "getPipelineSecret"
  | "listPipelineSecrets"
  | "putPipelineSecret"
  | "deletePipelineSecret"
  | "getGlobalSecret"
  | "listGlobalSecrets"
  | "putGlobalSecret"
  | "deleteGlobalSecret"
  | "listPipelineObjects"
  | "getPipelineObject"
  | "putPipelineObject"
  | "deletePipelineObject"
  | "listRunObjects"
  | "getRunObject"
  | "putRunObject"
  | "deleteRunObject";

export function createStoresApi(deps: StoresApiDeps, u: Unary): Record<StoreMethods, grpc.UntypedHandleCall> {
  const { db, secrets, objects } = deps;

  /** The caller's pipeline, which must exist. */
  const pipelineOf = async (
    req: { namespaceId: string; pipelineId: string },
    ctx: CallContext,
  ): Promise<PipelineRef> => {
    const namespaceId = ctx.namespace(req.namespaceId);
    if (!(await getPipeline(db, namespaceId, req.pipelineId))) {
      throw new NotFoundError(`pipeline "${namespaceId}/${req.pipelineId}" not found`);
    }
    return { namespaceId, pipelineId: req.pipelineId };
  };

  /**
   * Pipeline secrets may be put before their pipeline exists (its namespace must), so that a new pipeline's trigger
   * settings can refer to them on CreatePipeline — impossible in the original (spec §9.3).
   */
  const secretPipelineOf = async (
    req: { namespaceId: string; pipelineId: string },
    ctx: CallContext,
  ): Promise<PipelineRef> => {
    const namespaceId = ctx.namespace(req.namespaceId);
    if (!(await getNamespace(db, namespaceId))) throw new NotFoundError(`namespace "${namespaceId}" not found`);
    if (req.pipelineId === "") throw new FailedPreconditionError("pipeline_id required");
    return { namespaceId, pipelineId: req.pipelineId };
  };

  const runOf = async (
    req: { namespaceId: string; pipelineId: string; runId: bigint },
    ctx: CallContext,
  ): Promise<RunRef & { expired: boolean }> => {
    const pipeline = await pipelineOf(req, ctx);
    const runId = Number(req.runId);
    const run = await getRun(db, pipeline.namespaceId, pipeline.pipelineId, runId);
    if (!run)
      throw new NotFoundError(
        `run ${req.runId} of pipeline "${pipeline.namespaceId}/${pipeline.pipelineId}" not found`,
      );
    return { ...pipeline, runId, expired: run.store_objects_expired };
  };

  return {
    // ---- pipeline secrets ----------------------------------------------------------------------------------------
    getPipelineSecret: u("getPipelineSecret", async (req: GetPipelineSecretRequest, ctx) => {
      const found = secrets.getPipelineSecret(await secretPipelineOf(req, ctx), req.key, req.includeSecret);
      return { metadata: keyOut(found), secret: found.value };
    }),
    listPipelineSecrets: u("listPipelineSecrets", async (req: ListPipelineSecretsRequest, ctx) => ({
      keys: secrets.listPipelineSecrets(await secretPipelineOf(req, ctx)).map(keyOut),
    })),
    putPipelineSecret: u("putPipelineSecret", async (req: PutPipelineSecretRequest, ctx) => ({
      bytes: big(secrets.putPipelineSecret(await secretPipelineOf(req, ctx), req.key, req.content, req.force)),
    })),
    deletePipelineSecret: u("deletePipelineSecret", async (req: DeletePipelineSecretRequest, ctx) => {
      secrets.deletePipelineSecret(await secretPipelineOf(req, ctx), req.key);
      return {};
    }),

    // ---- global secrets ------------------------------------------------------------------------------------------
    getGlobalSecret: u("getGlobalSecret", async (req: GetGlobalSecretRequest, ctx) => {
      ctx.requireManagement("read global secrets");
      const found = secrets.getGlobalSecret(req.key, req.includeSecret);
      return { metadata: keyOut(found), secret: found.value };
    }),
    listGlobalSecrets: u("listGlobalSecrets", async (_req: unknown, ctx) => {
      ctx.requireManagement("list global secrets");
      return { keys: secrets.listGlobalSecrets().map(keyOut) };
    }),
    putGlobalSecret: u("putGlobalSecret", async (req: PutGlobalSecretRequest, ctx) => {
      ctx.requireManagement("put global secrets");
      return { bytes: big(secrets.putGlobalSecret(req.key, req.content, req.force)) };
    }),
    deleteGlobalSecret: u("deleteGlobalSecret", async (req: DeleteGlobalSecretRequest, ctx) => {
      ctx.requireManagement("delete global secrets");
      secrets.deleteGlobalSecret(req.key);
      return {};
    }),

    // ---- pipeline objects ----------------------------------------------------------------------------------------
    listPipelineObjects: u("listPipelineObjects", async (req: ListPipelineObjectsRequest, ctx) => ({
      keys: objects.listPipelineObjects(await pipelineOf(req, ctx)).map(keyOut),
    })),
    getPipelineObject: u("getPipelineObject", async (req: GetPipelineObjectRequest, ctx) => ({
      content: objects.getPipelineObject(await pipelineOf(req, ctx), req.key),
    })),
    putPipelineObject: u("putPipelineObject", async (req: PutPipelineObjectRequest, ctx) => {
      const pipeline = await pipelineOf(req, ctx);
      const { bytes, evicted } = objects.putPipelineObject(pipeline, req.key, req.content, req.force);
      for (const key of evicted) {
        await deps.eventLog.record("EVICTED_PIPELINE_OBJECT", {
          namespace_id: pipeline.namespaceId,
          pipeline_id: pipeline.pipelineId,
          key,
        });
      }
      return {
        bytes: big(bytes),
        objectLimit: big(objects.limits.pipelineObjectLimit),
        objectEvicted: evicted.join(","),
      };
    }),
    deletePipelineObject: u("deletePipelineObject", async (req: DeletePipelineObjectRequest, ctx) => {
      objects.deletePipelineObject(await pipelineOf(req, ctx), req.key);
      return {};
    }),

    // ---- run objects ---------------------------------------------------------------------------------------------
    listRunObjects: u("listRunObjects", async (req: ListRunObjectsRequest, ctx) => ({
      keys: objects.listRunObjects(await runOf(req, ctx)).map(keyOut),
    })),
    getRunObject: u("getRunObject", async (req: GetRunObjectRequest, ctx) => ({
      content: objects.getRunObject(await runOf(req, ctx), req.key),
    })),
    putRunObject: u("putRunObject", async (req: PutRunObjectRequest, ctx) => {
      const run = await runOf(req, ctx);
      if (run.expired) {
        throw new FailedPreconditionError(
          `run ${run.runId} of pipeline "${run.namespaceId}/${run.pipelineId}": its objects have expired (object_store.run_object_expiry); objects can no longer be put`,
        );
      }
      return { bytes: big(objects.putRunObject(run, req.key, req.content, req.force)) };
    }),
    deleteRunObject: u("deleteRunObject", async (req: DeleteRunObjectRequest, ctx) => {
      objects.deleteRunObject(await runOf(req, ctx), req.key);
      return {};
    }),
  };
}
