// Wires the server's parts explicitly: createServer(config, deps) builds everything, start() brings it up in order,
// stop() takes it down in order. Nothing is a module-level singleton, so a test builds a whole server on a temp
// sqlite file and the process engine in milliseconds, with a FakeClock if it likes.
//
// Start: database (migrated) → secret and object stores (a wrong encryption key stops here) → default namespace → base triggers registered (once) → orphaned runs repaired →
//   event pruner → gRPC API listening (extensions need its address) → triggers and extensions started (each
//   re-subscribes its pipelines when ready).
// Stop (idempotent, bounded, each step logged with its duration): event ingress off → stop accepting calls (open
//   streams end) → triggers shut down (Shutdown, stop_timeout, kill) → fired events resolved → runs drain within the
//   grace period, the rest are stopped for orphan repair → engine closed → database closed. The whole stop stays within
//   shutdown_timeout: each step has a share of it, and tasks still running then are killed inside that budget.

import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { dirname, resolve as resolvePath } from "node:path";
import { type Clock, systemClock } from "@gofer/trigger-sdk";
import * as grpc from "@grpc/grpc-js";
import type { Logger } from "winston";
import { createGoferApi } from "./api/gofer-api.js";
import { createRunsApi } from "./api/runs-api.js";
import { goferServiceDefinition } from "./api/service-definition.js";
import { createTokensApi } from "./api/tokens-api.js";
import { authenticate } from "./auth/authenticate.js";
import { RunTokens } from "./auth/run-tokens.js";
import { TokenService } from "./auth/token-service.js";
import { CommonTaskRegistry } from "./common-tasks/common-task-registry.js";
import type { Config } from "./config/config.js";
import { errorMessage } from "./errors.js";
import { EventLog } from "./events/event-log.js";
import { EventProcessor } from "./events/event-processor.js";
import { eventProcessorStore } from "./events/event-processor-store.js";
import { runEventPruner } from "./events/event-pruner.js";
import { type RunningExternalEventsServer, startExternalEventsServer } from "./external/external-events-server.js";
import { createServerLogger } from "./logging.js";
import { NamespaceService } from "./namespaces/namespace-service.js";
import { ensureDemoPipeline } from "./pipelines/dev-demo.js";
import { PipelineService } from "./pipelines/pipeline-service.js";
import { type PrivatePath, PUBLIC_CERT_MODE, warnAboutWideModes } from "./private-files.js";
import { QueuedRunOrchestrator } from "./runs/queued-run-orchestrator.js";
import { connectDocker } from "./scheduler/docker-api.js";
import { DockerScheduler } from "./scheduler/docker-scheduler.js";
import { ProcessScheduler } from "./scheduler/process-scheduler.js";
import { BASE_TRIGGER_IMAGES, providedImageMap } from "./scheduler/provided-images.js";
import type { Scheduler } from "./scheduler/scheduler.js";
import { deleteEventsBefore, insertEvent } from "./storage/event-repository.js";
import { openStorage } from "./storage/open-storage.js";
import { getServerState, setServerState } from "./storage/server-state-repository.js";
import { insertTriggerRegistration, listTriggerRegistrations } from "./storage/trigger-registration-repository.js";
import { Interpolator } from "./stores/interpolation.js";
import { ObjectStore } from "./stores/object-store.js";
import { expireRunObjects } from "./stores/run-object-expiry.js";
import { SecretStore } from "./stores/secret-store.js";
import { loadApiTls, loadTriggerTls, localhostCertPaths } from "./tls/certificates.js";
import { registrationStore, subscriptionStore } from "./triggers/stores.js";
import { SubscriptionManager } from "./triggers/subscription-manager.js";
import { TriggerRuntime } from "./triggers/trigger-runtime.js";

export const VERSION = "0.1.0";

/** A value known later (the API's bound address), read synchronously once set. */
function deferred<T>(): { value: T | undefined; resolve(value: T): void } {
  const box: { value: T | undefined; resolve(value: T): void } = {
    value: undefined,
    resolve(value) {
      box.value = value;
    },
  };
  return box;
}

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
  /** This server's own id (kept in its database): scopes its container names and labels, marks its processes. */
  readonly instanceId: string;
  stop(reason?: string): Promise<void>;
}

/**
 * This server's own id, made on its first start and kept in its database: it scopes container names and labels (many
 * servers on one Docker daemon) and marks processes, so a restarted server finds what its earlier run left.
 */
async function serverInstanceId(db: Parameters<typeof getServerState>[0]): Promise<string> {
  const stored = await getServerState(db, "instance_id");
  if (stored) return stored;
  const id = randomBytes(6).toString("hex");
  await setServerState(db, "instance_id", id);
  return id;
}

function createScheduler(config: Config, clock: Clock, logger: Logger, instanceId: string): Scheduler {
  if (config.scheduler.engine === "process") {
    const processes = new ProcessScheduler({
      imageMap: { ...providedImageMap(), ...config.triggers.imageMap },
      clock,
      logger,
      instanceId,
    });
    processes.reapOrphans();
    return processes;
  }
  // Nothing connects here: an unreachable daemon fails the starts (triggers retry them), never the server's start.
  const docker = new DockerScheduler({
    api: connectDocker(),
    network: config.scheduler.docker.network,
    extensionAddress: config.server.extensionAddress,
    clock,
    logger,
    instanceId,
  });
  if (config.scheduler.docker.prune) docker.startPruner(config.scheduler.docker.pruneIntervalMs);
  return docker;
}

/** Registers the provided cron and interval triggers the first time the server starts with install_base_triggers. */
async function installBaseTriggers(config: Config, db: Parameters<typeof listTriggerRegistrations>[0], clock: Clock) {
  if (!config.triggers.installBaseTriggers) return;
  if ((await getServerState(db, "base_triggers_installed")) === "true") return;
  const existing = new Set((await listTriggerRegistrations(db)).map((r) => r.name.toLowerCase()));
  for (const [name, image] of Object.entries(BASE_TRIGGER_IMAGES)) {
    if (existing.has(name)) continue;
    await insertTriggerRegistration(db, {
      name,
      image,
      kind: "trigger",
      registry_auth: null,
      // In dev mode the interval trigger allows short periods, so a demo pipeline fires within seconds.
      variables: config.devMode && name === "interval" ? [{ key: "MIN_DURATION", value: "1s", source: "SYSTEM" }] : [],
      created: clock.now().getTime(),
      status: "ENABLED",
    });
  }
  await setServerState(db, "base_triggers_installed", "true");
}

/** What the server keeps private (private-files.ts), for the start-up check of existing modes. */
function privatePaths(config: Config): PrivatePath[] {
  const { storagePath } = config.server;
  const localhost = localhostCertPaths(config);
  const paths: PrivatePath[] = [
    { path: storagePath, what: "database" },
    { path: `${storagePath}-wal`, what: "database journal" },
    { path: `${storagePath}-shm`, what: "database journal index" },
    { path: localhost.keyPath, what: "localhost TLS key" },
    { path: localhost.certPath, what: "localhost TLS certificate" },
    { path: config.taskExecutionLogsDir, what: "task log directory" },
  ];
  if (config.server.tlsKeyPath) paths.push({ path: config.server.tlsKeyPath, what: "[server] TLS key" });
  if (config.triggers.tlsKeyPath) paths.push({ path: config.triggers.tlsKeyPath, what: "[triggers] TLS key" });
  return paths.filter((p) => p.path !== "" && !p.path.startsWith(":memory:"));
}

export async function createServer(config: Config, deps: ServerDeps = {}): Promise<RunningServer> {
  const clock = deps.clock ?? systemClock;
  const logger =
    deps.logger ?? createServerLogger({ level: config.logLevel, pretty: config.development.prettyLogging });
  const started = clock.now().getTime();
  const lifetime = new AbortController();

  const database = await openStorage(config.server, { logger });
  warnAboutWideModes(privatePaths(config), logger);
  const { db } = database;
  let secrets: SecretStore;
  let objects: ObjectStore;
  try {
    secrets = SecretStore.open(config.secretStore.sqlite.path, config.secretStore.sqlite.encryptionKey, clock);
    try {
      objects = ObjectStore.open(
        config.objectStore.sqlite.path,
        {
          pipelineObjectLimit: config.objectStore.pipelineObjectLimit,
          maxObjectBytes: config.objectStore.maxObjectBytes,
        },
        clock,
      );
    } catch (error) {
      secrets.close();
      throw error;
    }
  } catch (error) {
    await database.close();
    throw error;
  }
  const interpolator = new Interpolator(secrets, objects);
  const instanceId = await serverInstanceId(db);
  const scheduler = deps.scheduler ?? createScheduler(config, clock, logger, instanceId);
  if (scheduler instanceof DockerScheduler) {
    // Trigger containers an earlier run left (a crash skips their stop); an unreachable daemon is not fatal here.
    await scheduler
      .reapOrphans()
      .catch((error: unknown) =>
        logger.warn("could not look for containers an earlier run left", { error: errorMessage(error) }),
      );
  }
  const [apiTls, triggerTls] = await Promise.all([loadApiTls(config), loadTriggerTls(config)]);
  const tokens = new TokenService({ db, clock });
  // Absolute, whatever storage_path looks like (dev mode: ".gofer-dev/gofer.db"): the path is handed to extensions as
  // SSL_CERT_FILE and, on the docker engine, bind-mounted at the same path, which Docker requires to be absolute.
  const apiCertPath = apiTls ? resolvePath(dirname(config.server.storagePath), "api-cert.pem") : undefined;
  const apiAddress = deferred<string>();
  const runTokens = new RunTokens({ tokens, apiHost: () => apiAddress.value ?? "", apiCertPath });

  let ingress = !config.ignorePipelineRunEvents;
  const eventLog = new EventLog(
    {
      insertEvent: async (kind, details, emitted) =>
        (await insertEvent(db, { kind, details: JSON.stringify(details), emitted })).id,
    },
    clock,
  );
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
    stores: {
      resolveEnv: (ref, variables) => interpolator.resolveVariables(variables, ref),
      runEnv: (ref) => runTokens.env(ref),
      runCompleting: async (ref) => {
        await runTokens.release(ref);
        try {
          await expireRunObjects(
            { db, objects, eventLog, keepRuns: config.objectStore.runObjectExpiry },
            { namespaceId: ref.namespaceId, pipelineId: ref.pipelineId },
          );
        } catch (error) {
          logger.error("could not expire run objects", { run: ref, error: errorMessage(error) });
        }
      },
    },
  });
  const processor = new EventProcessor({
    store: eventProcessorStore(db, clock),
    eventLog,
    orchestrator,
    ingressEnabled: () => ingress,
    logger,
    activity: (namespaceId, pipelineId) => orchestrator.activity(namespaceId, pipelineId),
  });

  // The subscription manager and the runtime need each other: the runtime tells it when a trigger is ready, it asks
  // the runtime for connections.
  let runtime: TriggerRuntime | undefined;
  const subscriptions = new SubscriptionManager(
    subscriptionStore(db, clock),
    { connection: (name) => runtime?.connection(name) ?? { unavailable: "the server is starting" } },
    logger,
    (s) => interpolator.resolveSettings(s.settings, { namespaceId: s.namespaceId, pipelineId: s.pipelineId }),
  );
  const triggerStore = registrationStore(db);
  // The one file left readable by all: a public certificate, mounted into extension containers, whose user may not
  // be the server's (private-files.ts).
  if (apiTls && apiCertPath) await writeFile(apiCertPath, apiTls.certPem, { mode: PUBLIC_CERT_MODE });
  runtime = new TriggerRuntime({
    store: triggerStore,
    scheduler,
    subscriptions,
    eventLog,
    onEvent: (event) => processor.onFired(event),
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
  });
  const triggers = runtime;

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

  await namespaces.ensureDefault();
  await installBaseTriggers(config, db, clock);
  await orchestrator.repairOrphans();
  const pruning = runEventPruner(
    {
      deleteBefore: (ms) => deleteEventsBefore(db, ms),
      retentionMs: config.eventLogRetentionMs,
      intervalMs: config.eventPruneIntervalMs,
      clock,
      logger,
    },
    lifetime.signal,
  );

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
      namespaces,
      pipelines,
      triggers,
      eventLog,
      runs: createRunsApi({
        db,
        orchestrator,
        processor,
        resultsLimit: config.server.storageResultsLimit,
        logger,
      }),
      tokens: createTokensApi(tokens),
      system: {
        commit: deps.commit ?? "dev",
        semver: VERSION,
        devMode: config.devMode,
        ingressEnabled: () => ingress,
        setIngress: (enabled) => {
          ingress = enabled;
        },
      },
      resultsLimit: config.server.storageResultsLimit,
      stores: { db, secrets, objects, eventLog },
      commonTasks: new CommonTaskRegistry({ db, scheduler, tls: triggerTls, eventLog, clock }),
      runQueue: orchestrator,
      logger,
      shutdown: lifetime.signal,
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
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(config.server.host, credentials, (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  const host = config.server.host.replace(/:\d+$/, "");
  const address = `${host}:${port}`;
  // v0.5 extensions call back into this API: they get its address and its certificate (a file they can trust).
  apiAddress.resolve(config.server.extensionAddress ?? `127.0.0.1:${port}`);
  await triggers.startAll();
  if (config.devMode) await ensureDemoPipeline(pipelines, logger);
  const external = config.externalEventsApi.enable
    ? await startExternal(config, apiTls, { triggers, eventLog, ingressEnabled: () => ingress, clock, logger })
    : undefined;
  logger.info("gofer api listening", {
    address,
    tls: apiTls !== null,
    engine: scheduler.engine,
    devMode: config.devMode,
    startupMs: clock.now().getTime() - started,
  });

  let stopping: Promise<void> | undefined;
  const stop = (reason = "stop requested") => {
    stopping ??= (async () => {
      const step = async (name: string, work: () => Promise<unknown>) => {
        const t0 = clock.now().getTime();
        try {
          await work();
        } catch (error) {
          logger.error(`shutdown step failed: ${name}`, { error: errorMessage(error) });
        }
        logger.info(`shutdown: ${name}`, { durationMs: clock.now().getTime() - t0 });
      };
      logger.info("gofer api stopping", { reason });
      ingress = false;
      lifetime.abort(new Error(`server stopping: ${reason}`));
      // The whole stop fits in shutdown_timeout: each step may use the budget up to its mark (a fraction of it), and
      // one that is not done by then is left behind (what it was stopping is killed when the engine closes).
      const budgetMs = config.server.shutdownTimeoutMs;
      const stopStarted = clock.now().getTime();
      const until = (fraction: number) => Math.max(0, stopStarted + budgetMs * fraction - clock.now().getTime());
      const within = async (name: string, ms: number, work: () => Promise<unknown>, onLate?: () => void) => {
        const timer = new AbortController();
        const late = await Promise.race([
          work().then(() => false),
          clock.sleep(ms, timer.signal).then(
            () => true,
            () => false,
          ),
        ]);
        timer.abort();
        if (late) {
          logger.warn(`shutdown: ${name} cut short to stay within shutdown_timeout`, { afterMs: ms, budgetMs });
          onLate?.();
        }
      };
      if (external)
        await step("external events closed", () =>
          within("closing the external events endpoint", until(0.1), () => external.stop(until(0.1))),
        );
      await step("api closed", () =>
        within(
          "closing the api",
          until(0.2),
          () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
          () => server.forceShutdown(),
        ),
      );
      await step("triggers stopped", () => within("stopping triggers", until(0.45), () => triggers.stopAll(reason)));
      await step("fired events resolved", () => within("resolving events", until(0.5), () => processor.drain()));
      await step("runs drained", () =>
        within("draining runs", until(0.95), () =>
          orchestrator.stop(until(0.7), Math.min(config.taskExecutionStopTimeoutMs, until(0.9))),
        ),
      );
      await step("engine closed", () =>
        within("closing the engine", until(1), () =>
          scheduler.close(Math.min(config.taskExecutionStopTimeoutMs, 10_000, until(0.98))),
        ),
      );
      await step("event pruner stopped", () => pruning);
      await step("database closed", () => database.close());
      await step("stores closed", async () => {
        secrets.close();
        objects.close();
      });
    })();
    return stopping;
  };

  return {
    address,
    port,
    apiCertPem: apiTls?.certPem ?? null,
    triggers,
    subscriptions,
    externalEventsAddress: external?.address,
    instanceId,
    stop,
  };
}

/** The webhook endpoint serves the API's certificate; it is plaintext only when the API is (spec §2.9). */
async function startExternal(
  config: Config,
  apiTls: { certPem: string; keyPem: string } | null,
  parts: {
    triggers: TriggerRuntime;
    eventLog: EventLog;
    ingressEnabled: () => boolean;
    clock: Clock;
    logger: Logger;
  },
): Promise<RunningExternalEventsServer> {
  const settings = config.externalEventsApi;
  if (apiTls && !settings.useTls) {
    parts.logger.warn(
      "external_events_api.use_tls = false is ignored: the endpoint is plaintext only when the API is (server.use_tls = false)",
    );
  }
  return startExternalEventsServer({
    host: settings.host,
    tls: apiTls,
    maxBodyBytes: settings.maxBodyBytes,
    maxConcurrentPerTrigger: settings.maxConcurrentPerTrigger,
    maxWaitingPerTrigger: settings.maxWaitingPerTrigger,
    targets: {
      isInstalled: (name) => parts.triggers.isInstalled(name),
      connection: (name) => parts.triggers.connection(name),
    },
    ingressEnabled: parts.ingressEnabled,
    record: async (details) => {
      await parts.eventLog.record("EXTERNAL_EVENT", details);
    },
    clock: parts.clock,
    logger: parts.logger,
  });
}
