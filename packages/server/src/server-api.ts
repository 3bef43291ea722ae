// The gRPC server of the Gofer API (server.ts binds it): the service with every handler wired to the server's parts,
// and the credentials it listens with.
import type { Clock } from "@gofer/kernel";
import * as grpc from "@grpc/grpc-js";
import type { Kysely } from "kysely";
import type { Logger } from "winston";
import { createGoferApi } from "./api/gofer-api.js";
import { createRunsApi } from "./api/runs-api.js";
import { goferServiceDefinition } from "./api/service-definition.js";
import { createTokensApi } from "./api/tokens-api.js";
import { authenticate } from "./auth/authenticate.js";
import type { TokenService } from "./auth/token-service.js";
import type { CommonTaskRegistry } from "./common-tasks/common-task-registry.js";
import type { Config } from "./config/config.js";
import type { EventProcessor } from "./event-processing/event-processor.js";
import type { EventLog } from "./events/event-log.js";
import type { NamespaceService } from "./namespaces/namespace-service.js";
import type { PipelineService } from "./pipelines/pipeline-service.js";
import type { QueuedRunOrchestrator } from "./runs/queued-run-orchestrator.js";
import type { Schema } from "./storage/schema.js";
import type { ObjectStore } from "./stores/object-store.js";
import type { SecretStore } from "./stores/secret-store.js";
import type { TriggerRuntime } from "./triggers/trigger-runtime.js";

export const VERSION = "0.1.0";

export interface ApiParts {
  db: Kysely<Schema>;
  namespaces: NamespaceService;
  pipelines: PipelineService;
  triggers: TriggerRuntime;
  eventLog: EventLog;
  orchestrator: QueuedRunOrchestrator;
  processor: EventProcessor;
  tokens: TokenService;
  secrets: SecretStore;
  objects: ObjectStore;
  commonTasks: CommonTaskRegistry;
  /** Whether fired events are taken; ToggleEventIngress sets it. */
  ingress: { enabled: boolean };
  apiTls: { certPem: string; keyPem: string } | null;
  commit: string;
  /** Aborts when the server stops: open streams end. */
  shutdown: AbortSignal;
  clock: Clock;
  logger: Logger;
}

export function createApiServer(
  config: Config,
  parts: ApiParts,
): { server: grpc.Server; credentials: grpc.ServerCredentials } {
  const { db, orchestrator, tokens, ingress, apiTls, clock, logger, eventLog } = parts;
  const server = new grpc.Server({
    // Clients keep Watch-like streams (ListEvents --follow, logs) open; keepalive notices vanished peers.
    "grpc.keepalive_time_ms": 60_000,
    "grpc.keepalive_permit_without_calls": 1,
    "grpc.max_receive_message_length": 16 * 1024 * 1024,
  });
  server.addService(
    goferServiceDefinition,
    createGoferApi({
      db,
      namespaces: parts.namespaces,
      pipelines: parts.pipelines,
      triggers: parts.triggers,
      eventLog,
      runs: createRunsApi({
        db,
        store: orchestrator.store,
        orchestrator,
        processor: parts.processor,
        resultsLimit: config.server.storageResultsLimit,
        logger,
      }),
      tokens: createTokensApi(tokens),
      system: {
        commit: parts.commit,
        semver: VERSION,
        devMode: config.devMode,
        ingressEnabled: () => ingress.enabled,
        setIngress: (enabled) => {
          ingress.enabled = enabled;
        },
      },
      resultsLimit: config.server.storageResultsLimit,
      stores: { db, secrets: parts.secrets, objects: parts.objects, eventLog },
      commonTasks: parts.commonTasks,
      runQueue: orchestrator,
      logger,
      shutdown: parts.shutdown,
      authenticate: (path, metadata) =>
        authenticate(metadata.get("authorization")[0]?.toString(), path, {
          tokens,
          clock,
          bypassAuth: config.development.bypassAuth,
        }),
    }),
  );
  const credentials = apiTls
    ? grpc.ServerCredentials.createSsl(
        null,
        [{ cert_chain: Buffer.from(apiTls.certPem), private_key: Buffer.from(apiTls.keyPem) }],
        false,
      )
    : grpc.ServerCredentials.createInsecure();
  return { server, credentials };
}
