// Pieces of the server's start (server.ts) that need no wiring of their own: its id, the engine, the base triggers,
// the private paths to check, and the external events endpoint.
import { randomBytes } from "node:crypto";
import type { Clock } from "@gofer/kernel";
import type { Logger } from "winston";
import { clusterReplicaId } from "./cluster/cluster.js";
import type { Config } from "./config/config.js";
import type { EventLog } from "./events/event-log.js";
import { type RunningExternalEventsServer, startExternalEventsServer } from "./external/external-events-server.js";
import type { PrivatePath } from "./private-files.js";
import { connectDocker } from "./scheduler/docker-api.js";
import { DockerScheduler } from "./scheduler/docker-scheduler.js";
import { ProcessScheduler } from "./scheduler/process-scheduler.js";
import { BASE_TRIGGER_IMAGES, providedImageMap } from "./scheduler/provided-images.js";
import type { Scheduler } from "./scheduler/scheduler.js";
import { getServerState, setServerState } from "./storage/server-state-repository.js";
import { insertTriggerRegistration, listTriggerRegistrations } from "./storage/trigger-registration-repository.js";
import { localhostCertPaths } from "./tls/certificates.js";
import type { TriggerRuntime } from "./triggers/trigger-runtime.js";

/** A value known later (the API's bound address), read synchronously once set. */
export function deferred<T>(): { value: T | undefined; resolve(value: T): void } {
  const box: { value: T | undefined; resolve(value: T): void } = {
    value: undefined,
    resolve(value) {
      box.value = value;
    },
  };
  return box;
}

/**
 * This server's own id, made on its first start and kept in its database: it scopes container names and labels (many
 * servers on one Docker daemon) and marks processes, so a restarted server finds what its earlier run left. Replicas
 * share a database, so each keeps its id beside its storage_path instead (cluster/replica-id.ts).
 */
export async function serverInstanceId(
  db: Parameters<typeof getServerState>[0],
  server: Config["server"],
): Promise<string> {
  if (server.storageEngine === "postgres") return clusterReplicaId(server);
  const stored = await getServerState(db, "instance_id");
  if (stored) return stored;
  const id = randomBytes(6).toString("hex");
  await setServerState(db, "instance_id", id);
  return id;
}

export function createScheduler(config: Config, clock: Clock, logger: Logger, instanceId: string): Scheduler {
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
export async function installBaseTriggers(
  config: Config,
  db: Parameters<typeof listTriggerRegistrations>[0],
  clock: Clock,
) {
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
export function privatePaths(config: Config): PrivatePath[] {
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

/** The webhook endpoint serves the API's certificate; it is plaintext only when the API is (spec §2.9). */
export async function startExternal(
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
