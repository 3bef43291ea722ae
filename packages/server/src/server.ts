// Wires the server's parts explicitly: createServer(config, deps) builds everything and brings it up as an ordered
// list of named steps (lifecycle.ts), each timed in the log; stop() runs their stops in reverse order. Nothing is a
// module-level singleton, so a test builds a whole server on a temp sqlite file and the process engine in
// milliseconds, with a FakeClock if it likes.
//
// Start: database (migrated) → secret and object stores (a wrong encryption key stops here) → engine → certificates →
//   default namespace → base triggers registered (once) → orphaned runs repaired → event pruner → event ingress → gRPC
//   API listening (extensions need its address) → (postgres) trigger leases, held triggers started → triggers and
//   extensions started (each re-subscribes its pipelines when ready) → dev demo → external events endpoint.
// Stop (idempotent, bounded, each step logged with its duration): event ingress off, then the reverse: external
//   endpoint closed → stop accepting calls (open streams end) → triggers shut down (Shutdown, stop_timeout, kill) →
//   (postgres) their leases released → fired events resolved → event pruner stopped → runs drain within the grace
//   period, the rest are stopped for orphan repair → engine closed → stores closed → database closed. A start step
//   that fails stops those started before it. The whole stop stays within shutdown_timeout: each step has a share.

import { setMaxListeners } from "node:events";
import { writeFile } from "node:fs/promises";
import { dirname, resolve as resolvePath } from "node:path";
import { type Clock, systemClock } from "@gofer/kernel";
import type { Logger } from "winston";
import { RunTokens } from "./auth/run-tokens.js";
import { TokenService } from "./auth/token-service.js";
import { Cluster } from "./cluster/cluster.js";
import { CommonTaskRegistry } from "./common-tasks/common-task-registry.js";
import type { Config } from "./config/config.js";
import { errorMessage } from "./errors.js";
import { EventProcessor, runActivity } from "./event-processing/event-processor.js";
import { eventProcessorStore } from "./event-processing/event-processor-store.js";
import { EventLog } from "./events/event-log.js";
import { runEventPruner } from "./events/event-pruner.js";
import { Lifecycle } from "./lifecycle.js";
import { createServerLogger } from "./logging.js";
import { NamespaceService } from "./namespaces/namespace-service.js";
import { ensureDemoPipeline } from "./pipelines/dev-demo.js";
import { PipelineService } from "./pipelines/pipeline-service.js";
import { PUBLIC_CERT_MODE, warnAboutWideModes } from "./private-files.js";
import { QueuedRunOrchestrator } from "./runs/queued-run-orchestrator.js";
import { DockerScheduler } from "./scheduler/docker-scheduler.js";
import type { Scheduler } from "./scheduler/scheduler.js";
import { createApiServer } from "./server-api.js";
import {
  createScheduler,
  deferred,
  installBaseTriggers,
  privatePaths,
  serverInstanceId,
  startExternal,
} from "./server-setup.js";
import { deleteEventsBefore } from "./storage/event-repository.js";
import { openStorage } from "./storage/open-storage.js";
import { Interpolator } from "./stores/interpolation.js";
import { ObjectStore } from "./stores/object-store.js";
import { runObjectExpiry } from "./stores/run-object-expiry.js";
import { SecretStore } from "./stores/secret-store.js";
import { loadApiTls, loadTriggerTls } from "./tls/certificates.js";
import { registrationStore, subscriptionStore } from "./triggers/stores.js";
import { SubscriptionManager } from "./triggers/subscription-manager.js";
import { TriggerRuntime } from "./triggers/trigger-runtime.js";

export { VERSION } from "./server-api.js";

export interface ServerDeps {
  clock?: Clock;
  logger?: Logger;
  /** Replaces the engine chosen by scheduler.engine (tests pass a fake or a preconfigured one). */
  scheduler?: Scheduler;
  commit?: string;
}

export interface RunningServer {
  /** host:port the API listens on. */
  readonly address: string;
  readonly port: number;
  /** The API's certificate (PEM), or null when it serves plaintext; clients trust exactly this. */
  readonly apiCertPem: string | null;
  readonly triggers: TriggerRuntime;
  readonly subscriptions: SubscriptionManager;
  /** host:port of the external events (webhook) endpoint, undefined when external_events_api.enable is off. */
  readonly externalEventsAddress: string | undefined;
  /** Its own id (in its database; a replica's beside storage_path): scopes its containers, marks its processes. */
  readonly instanceId: string;
  stop(reason?: string): Promise<void>;
}

export async function createServer(config: Config, deps: ServerDeps = {}): Promise<RunningServer> {
  const clock = deps.clock ?? systemClock;
  const logger =
    deps.logger ?? createServerLogger({ level: config.logLevel, pretty: config.development.prettyLogging });
  const lifetime = new AbortController();
  // Every open API call and Watch loop listens here and removes its listener when it ends: many at once is not a leak.
  setMaxListeners(0, lifetime.signal);
  const life = new Lifecycle({ clock, logger, shutdownTimeoutMs: config.server.shutdownTimeoutMs });
  // Whether fired events are taken (ToggleEventIngress): opened by the "event ingress" step, off once stopping.
  const ingress = { enabled: false };
  let stopping: Promise<void> | undefined;
  const stop = (reason = "stop requested") => {
    stopping ??= (async () => {
      logger.info("gofer api stopping", { reason });
      ingress.enabled = false;
      lifetime.abort(new Error(`server stopping: ${reason}`));
      await life.stop(reason);
    })();
    return stopping;
  };
  try {
    return await startSteps(config, deps, { clock, logger, life, lifetime: lifetime.signal, ingress, stop });
  } catch (error) {
    await stop(`start failed: ${errorMessage(error)}`);
    throw error;
  }
}

interface StartContext {
  clock: Clock;
  logger: Logger;
  life: Lifecycle;
  /** Aborts when the server stops. */
  lifetime: AbortSignal;
  ingress: { enabled: boolean };
  stop(reason?: string): Promise<void>;
}

async function startSteps(config: Config, deps: ServerDeps, context: StartContext): Promise<RunningServer> {
  const { clock, logger, life, lifetime, ingress } = context;
  const started = clock.now().getTime();
  const database = await life.step(
    "database",
    async () => {
      const opened = await openStorage(config.server, { logger });
      warnAboutWideModes(privatePaths(config), logger);
      return opened;
    },
    { name: "database closed", run: (opened) => opened.close() },
  );
  const { db } = database;
  const secrets = await life.step(
    "secret store",
    () => SecretStore.open(config.secretStore.sqlite.path, config.secretStore.sqlite.encryptionKey, clock),
    { name: "secret store closed", run: (store) => store.close() },
  );
  const objects = await life.step(
    "object store",
    () =>
      ObjectStore.open(
        config.objectStore.sqlite.path,
        {
          pipelineObjectLimit: config.objectStore.pipelineObjectLimit,
          maxObjectBytes: config.objectStore.maxObjectBytes,
        },
        clock,
      ),
    { name: "object store closed", run: (store) => store.close() },
  );
  const instanceId = await serverInstanceId(db, config.server);
  const scheduler: Scheduler = await life.step(
    "engine",
    async () => {
      const engine = deps.scheduler ?? createScheduler(config, clock, logger, instanceId);
      if (engine instanceof DockerScheduler) {
        // Trigger containers an earlier run left (a crash skips their stop); an unreachable daemon is not fatal here.
        await engine
          .reapOrphans()
          .catch((error: unknown) =>
            logger.warn("could not look for containers an earlier run left", { error: errorMessage(error) }),
          );
      }
      return engine;
    },
    {
      name: "engine closed",
      by: 1,
      run: (engine, { until }) => engine.close(Math.min(config.taskExecutionStopTimeoutMs, 10_000, until(0.98))),
    },
  );
  const { apiTls, triggerTls, apiCertPath } = await life.step("certificates", async () => {
    const [api, trigger] = await Promise.all([loadApiTls(config), loadTriggerTls(config)]);
    // Absolute, whatever storage_path looks like (dev mode: ".gofer-dev/gofer.db"): the path is handed to extensions
    // as SSL_CERT_FILE and, on the docker engine, bind-mounted at the same path, which Docker requires to be absolute.
    const certPath = api ? resolvePath(dirname(config.server.storagePath), "api-cert.pem") : undefined;
    // The one file left readable by all: a public certificate, mounted into extension containers, whose user may not
    // be the server's (private-files.ts).
    if (api && certPath) await writeFile(certPath, api.certPem, { mode: PUBLIC_CERT_MODE });
    return { apiTls: api, triggerTls: trigger, apiCertPath: certPath };
  });

  const interpolator = new Interpolator(secrets, objects);
  const tokens = new TokenService({ db, clock });
  const apiAddress = deferred<string>();
  const runTokens = new RunTokens({ db, clock, apiHost: () => apiAddress.value ?? "", apiCertPath });
  const eventLog = new EventLog(db, clock);
  const cluster = Cluster.of(config.server, instanceId, { db, clock, logger, eventLog });
  const orchestrator = new QueuedRunOrchestrator({
    db,
    scheduler,
    eventLog,
    clock,
    logger,
    config: {
      runParallelismLimit: config.runParallelismLimit,
      stopTimeoutMs: config.taskExecutionStopTimeoutMs,
      logsDir: config.taskExecutionLogsDir,
      logExpiryRuns: config.taskExecutionLogExpiry,
    },
    ...(cluster ? { claims: cluster.runClaims } : {}),
    stores: {
      resolveEnv: (ref, variables) => interpolator.resolveVariables(variables, ref),
      runEnv: (ref) => runTokens.env(ref),
      runCredentials: runTokens,
      runCompleting: async (ref) =>
        runObjectExpiry({ objects, clock, keepRuns: config.objectStore.runObjectExpiry }, ref),
    },
  });
  const processor = new EventProcessor({
    store: eventProcessorStore(db, clock, cluster?.recordFence),
    eventLog,
    orchestrator,
    ingressEnabled: () => ingress.enabled,
    logger,
    ...runActivity(orchestrator, config.runParallelismLimit),
  });
  const triggerStore = registrationStore(db);
  const triggers = new TriggerRuntime({
    store: triggerStore,
    scheduler,
    eventLog,
    onEvent: (event, hint) => processor.onFired(event, hint),
    tls: triggerTls,
    logLevel: config.logLevel,
    readiness: { attempts: config.triggers.readinessAttempts, delayMs: config.triggers.readinessDelayMs },
    liveness: {
      intervalMs: config.triggers.livenessIntervalMs,
      timeoutMs: config.triggers.livenessTimeoutMs,
      misses: config.triggers.livenessMisses,
    },
    stopTimeoutMs: config.triggers.stopTimeoutMs,
    clock,
    logger,
    extensions: {
      issueToken: async (name) => (await tokens.createExtensionToken(name)).token,
      revokeToken: async (token) => {
        await tokens.revoke(token);
      },
      revokeAll: async (name) => {
        await tokens.revokeExtensionTokens(name);
      },
      get goferHost() {
        return apiAddress.value ?? "";
      },
      apiCertPath,
      skipTlsVerify: false,
    },
    ...(cluster ? { placement: cluster.leases } : {}),
  });
  // The manager asks the runtime for connections; the runtime only announces what happens to its triggers, which the
  // manager follows (triggers/trigger-changes.ts) until the triggers have stopped.
  const subscriptions = new SubscriptionManager(subscriptionStore(db, clock), triggers, logger, (s) =>
    interpolator.resolveSettings(s.settings, { namespaceId: s.namespaceId, pipelineId: s.pipelineId }),
  );
  await life.step(
    "subscriptions follow triggers",
    () => {
      const following = new AbortController();
      triggers.listen((change) => subscriptions.onTriggerChange(change), following.signal);
      return following;
    },
    { name: "subscriptions stopped following triggers", run: (following) => following.abort() },
  );
  const namespaces = new NamespaceService({
    db,
    subscriptions,
    eventLog,
    clock,
    resultsLimit: config.server.storageResultsLimit,
    onDeleted: (namespaceId) => {
      secrets.deleteNamespace(namespaceId);
      objects.deleteNamespace(namespaceId);
    },
  });
  const pipelines = new PipelineService({
    db,
    subscriptions,
    eventLog,
    clock,
    installedTriggers: async () => new Set((await triggerStore.listRegistrations()).map((r) => r.name)),
    onDeleted: (ref) => {
      secrets.deletePipeline(ref);
      objects.deletePipeline(ref);
    },
    resultsLimit: config.server.storageResultsLimit,
  });

  await life.step("default namespace", () => namespaces.ensureDefault());
  await life.step("base triggers", () => installBaseTriggers(config, db, clock));
  await life.step("orphaned runs", () => orchestrator.repairOrphans(), {
    name: "runs drained",
    by: 0.95,
    run: (_, { until }) => orchestrator.stop(until(0.7), Math.min(config.taskExecutionStopTimeoutMs, until(0.9))),
  });
  await life.step(
    "event pruner",
    // In a box: the loop runs until the lifetime signal aborts, and starting does not wait for it.
    () => ({
      loop: runEventPruner(
        {
          deleteBefore: (ms) => deleteEventsBefore(db, ms),
          retentionMs: config.eventLogRetentionMs,
          intervalMs: config.eventPruneIntervalMs,
          clock,
          logger,
        },
        lifetime,
      ),
    }),
    { name: "event pruner stopped", run: (pruner) => pruner.loop },
  );
  await life.step(
    "event ingress",
    () => {
      ingress.enabled = !config.ignorePipelineRunEvents;
    },
    { name: "fired events resolved", by: 0.5, run: () => processor.drain() },
  );

  const { server, credentials } = createApiServer(config, {
    db,
    namespaces,
    pipelines,
    triggers,
    eventLog,
    orchestrator,
    processor,
    tokens,
    secrets,
    objects,
    commonTasks: new CommonTaskRegistry({ db, scheduler, tls: triggerTls, eventLog, clock }),
    ingress,
    apiTls,
    commit: deps.commit ?? "dev",
    shutdown: lifetime,
    clock,
    logger,
  });
  const port = await life.step(
    "api listening",
    () =>
      new Promise<number>((resolve, reject) =>
        server.bindAsync(config.server.host, credentials, (error, bound) => (error ? reject(error) : resolve(bound))),
      ),
    // Already closed by "api closed" on a normal stop; this frees the port when a later start step failed.
    { name: "api released", run: () => server.forceShutdown() },
  );
  const host = config.server.host.replace(/:\d+$/, "");
  const address = `${host}:${port}`;
  // v0.5 extensions call back into this API: they get its address and its certificate (a file they can trust).
  apiAddress.resolve(config.server.extensionAddress ?? `127.0.0.1:${port}`);
  if (cluster) await life.step("leases", () => cluster.keep(triggers, subscriptions, lifetime), cluster.stopStep);
  await life.step("triggers", () => triggers.startAll(), {
    name: "triggers stopped",
    by: 0.45,
    run: (_, { reason }) => triggers.stopAll(reason),
  });
  if (config.devMode) await life.step("dev demo pipeline", () => ensureDemoPipeline(pipelines, logger));
  // Calls are taken from the bind on; this step places their end, which comes before the triggers stop.
  await life.step("api serving", () => undefined, {
    name: "api closed",
    by: 0.2,
    run: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
    onLate: () => server.forceShutdown(),
  });
  const external = config.externalEventsApi.enable
    ? await life.step(
        "external events endpoint",
        () =>
          startExternal(config, apiTls, { triggers, eventLog, ingressEnabled: () => ingress.enabled, clock, logger }),
        { name: "external events closed", by: 0.1, run: (endpoint, { until }) => endpoint.stop(until(0.1)) },
      )
    : undefined;
  logger.info("gofer api listening", {
    address,
    tls: apiTls !== null,
    engine: scheduler.engine,
    devMode: config.devMode,
    startupMs: clock.now().getTime() - started,
  });
  return {
    address,
    port,
    apiCertPem: apiTls?.certPem ?? null,
    triggers,
    subscriptions,
    externalEventsAddress: external?.address,
    instanceId,
    stop: context.stop,
  };
}
