// The proto.TriggerService server a trigger runs (spec §3.3): TLS from PEM text, a Bearer check on every call with the
// original's messages, Info.name forced to the configured name, Watch draining the event queue, and a stop that is
// graceful first and forced after a grace period.
//
// States: STARTING → SERVING → STOPPING → STOPPED. stop() is idempotent and returns the same promise every time.
import {
  type TriggerExternalEventRequest,
  TriggerServiceService,
  type TriggerSubscribeRequest,
  type TriggerUnsubscribeRequest,
  TriggerWatchResponse,
  TriggerWatchResponse_Result,
} from "@gofer/proto";
import * as grpc from "@grpc/grpc-js";
import { type Clock, systemClock } from "./clock.js";
import { EventQueue } from "./event-queue.js";
import { type ExternalEvent, parseExternalEvent } from "./external-event.js";
import type { Logger } from "./logger.js";
import { SubscriptionSettings } from "./settings.js";
import { SubscriptionHandle } from "./subscription-handle.js";
import { formatSubscriptionKey, type SubscriptionKey, SubscriptionRegistry } from "./subscription-registry.js";
import { TimerQueue } from "./timer-queue.js";
import type { TriggerDefinition, TriggerEvent, TriggerFactory } from "./trigger.js";

export interface TriggerServerOptions {
  name: string;
  /** The bearer token every call must carry. */
  key: string;
  /** host:port to listen on; port 0 picks a free one. */
  host: string;
  /** PEM text; null serves plaintext (an opt-in for tests only). */
  tls: { certPem: string; keyPem: string } | null;
  logger: Logger;
  clock?: Clock;
  env?: NodeJS.ProcessEnv;
  queueCapacity?: number;
  /** How long a graceful stop may take before in-flight calls are cut. Default 15 s, as the original. */
  forceStopAfterMs?: number;
}

export interface RunningTrigger {
  readonly port: number;
  readonly queue: EventQueue<TriggerEvent>;
  /** Stops gracefully, then forcefully; safe to call twice. */
  stop(reason?: string): Promise<void>;
  /** Settles once the server has stopped for any reason (including a Shutdown RPC). */
  readonly stopped: Promise<void>;
}

const RESULT_TO_PROTO: Record<TriggerEvent["result"], TriggerWatchResponse_Result> = {
  SUCCESS: TriggerWatchResponse_Result.SUCCESS,
  FAILURE: TriggerWatchResponse_Result.FAILURE,
  SKIPPED: TriggerWatchResponse_Result.SKIPPED,
};

function status(code: grpc.status, details: string): Partial<grpc.StatusObject> {
  return { code, details };
}

/** The original SDK's bearer check (go-grpc-middleware auth.AuthFromMD plus an exact key compare). */
export function checkBearer(metadata: grpc.Metadata, key: string): Partial<grpc.StatusObject> | undefined {
  const value = metadata.get("authorization")[0]?.toString() ?? "";
  if (value === "") return status(grpc.status.UNAUTHENTICATED, "Request unauthenticated with bearer");
  const space = value.indexOf(" ");
  if (space === -1) return status(grpc.status.UNAUTHENTICATED, "Bad authorization string");
  if (value.slice(0, space).toLowerCase() !== "bearer") {
    return status(grpc.status.UNAUTHENTICATED, "Request unauthenticated with bearer");
  }
  if (value.slice(space + 1) !== key) return status(grpc.status.UNAUTHENTICATED, "invalid auth token");
  return undefined;
}

export function toWatchResponse(event: TriggerEvent): TriggerWatchResponse {
  return TriggerWatchResponse.fromPartial({
    details: event.details,
    namespaceId: event.key.namespaceId,
    pipelineId: event.key.pipelineId,
    pipelineTriggerLabel: event.key.label,
    result: RESULT_TO_PROTO[event.result],
    metadata: event.metadata,
  });
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function startTriggerServer(
  factory: TriggerFactory,
  options: TriggerServerOptions,
): Promise<RunningTrigger> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger;
  const lifetime = new AbortController();
  const queue = new EventQueue<TriggerEvent>({ capacity: options.queueCapacity ?? 100, clock });
  const registry = new SubscriptionRegistry<SubscriptionHandle>();
  const timers = new TimerQueue(clock, (error) =>
    logger.error("timer callback failed", { error: errorMessage(error) }),
  );
  void timers.start(lifetime.signal);

  const definition: TriggerDefinition = await factory({
    name: options.name,
    clock,
    logger,
    env: options.env ?? process.env,
    timers,
    signal: lifetime.signal,
    subscriptions: () => [...registry.values()],
  });

  const server = new grpc.Server({
    // Watch is parked for as long as nothing happens; keepalive pings detect a vanished Gofer.
    "grpc.keepalive_time_ms": 30_000,
    "grpc.keepalive_permit_without_calls": 1,
  });

  // One wrapper turns every handler's throw or auth failure into a status; handlers never see the token.
  function unary<Req, Res>(
    handle: (request: Req, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res | undefined>,
  ): grpc.handleUnaryCall<Req, Res> {
    return (call, callback) => {
      const denied = checkBearer(call.metadata, options.key);
      if (denied) {
        callback(denied);
        return;
      }
      handle(call.request, call).then(
        (response) => {
          if (response !== undefined) callback(null, response);
        },
        (error: unknown) => {
          const code = (error as { code?: grpc.status }).code ?? grpc.status.UNKNOWN;
          callback(status(code, errorMessage(error)));
        },
      );
    };
  }

  const invalid = (message: string) => Object.assign(new Error(message), { code: grpc.status.INVALID_ARGUMENT });

  function keyOf(request: TriggerSubscribeRequest | TriggerUnsubscribeRequest): SubscriptionKey {
    const key = {
      namespaceId: request.namespaceId,
      pipelineId: request.pipelineId,
      label: request.pipelineTriggerLabel,
    };
    const missing = Object.entries({
      namespace_id: key.namespaceId,
      pipeline_id: key.pipelineId,
      pipeline_trigger_label: key.label,
    })
      .filter(([, v]) => v === "")
      .map(([k]) => k);
    if (missing.length > 0) throw invalid(`request missing required field: ${missing.join(", ")}`);
    return key;
  }

  let stopping: Promise<void> | undefined;
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((resolve) => {
    resolveStopped = resolve;
  });

  server.addService(TriggerServiceService, {
    watch: unary(async (_request, call) => {
      const cancelled = new AbortController();
      call.on("cancelled", () => cancelled.abort());
      const event = await queue.take(cancelled.signal);
      if (event === undefined) return TriggerWatchResponse.fromPartial({});
      if (call.cancelled) {
        // The caller went away between the take and the answer: keep the event for the next Watch. (A cancellation
        // still in flight on the network when the answer is sent cannot be detected: the protocol has no
        // acknowledgement. Gofer therefore ends Watch calls with Shutdown, which answers them empty, not by cancelling.)
        queue.requeue(event);
        return undefined;
      }
      return toWatchResponse(event);
    }),
    info: unary(async () => {
      const registered = new Set<string>();
      for (const key of registry.keys()) registered.add(`${key.namespaceId}/${key.pipelineId}`);
      return { name: options.name, documentation: definition.documentation, registered: [...registered].sort() };
    }),
    subscribe: unary(async (request: TriggerSubscribeRequest) => {
      const key = keyOf(request);
      const subscription = new SubscriptionHandle(key, new SubscriptionSettings(request.config), queue);
      try {
        await definition.subscribe(subscription);
      } catch (error) {
        subscription.cancel(error);
        logger.info("subscription refused", { subscription: formatSubscriptionKey(key), error: errorMessage(error) });
        throw invalid(errorMessage(error));
      }
      const replaced = registry.set(subscription);
      logger.info(replaced ? "subscription replaced" : "subscribed", { subscription: formatSubscriptionKey(key) });
      return {};
    }),
    unsubscribe: unary(async (request: TriggerUnsubscribeRequest) => {
      const key = keyOf(request);
      const existed = registry.delete(key);
      logger.info(existed ? "unsubscribed" : "unsubscribe of unknown subscription ignored", {
        subscription: formatSubscriptionKey(key),
      });
      return {};
    }),
    shutdown: unary(async () => {
      await definition.shutdown?.();
      // Answer first, then stop: the caller sees OK and the process exits right after.
      setImmediate(() => void stop("Shutdown requested"));
      return {};
    }),
    externalEvent: unary(async (request: TriggerExternalEventRequest) => {
      if (!definition.externalEvent) {
        logger.warn("external event ignored: this trigger takes none", { bytes: request.payload.length });
        return {};
      }
      let event: ExternalEvent;
      try {
        event = parseExternalEvent(request.payload);
      } catch (error) {
        logger.warn("external event refused", { error: errorMessage(error) });
        throw invalid(errorMessage(error));
      }
      try {
        await definition.externalEvent(event);
      } catch (error) {
        logger.warn("external event refused", {
          error: errorMessage(error),
          method: event.method,
          path: event.path,
          bytes: event.body.length,
        });
        throw (error as { code?: unknown }).code === undefined ? invalid(errorMessage(error)) : error;
      }
      return {};
    }),
  });

  const credentials = options.tls
    ? grpc.ServerCredentials.createSsl(
        null,
        [{ cert_chain: Buffer.from(options.tls.certPem), private_key: Buffer.from(options.tls.keyPem) }],
        false,
      )
    : grpc.ServerCredentials.createInsecure();
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(options.host, credentials, (error, bound) => (error ? reject(error) : resolve(bound)));
  });
  logger.info("trigger listening", { host: options.host, port, tls: options.tls !== null });

  function stop(reason = "stop requested"): Promise<void> {
    stopping ??= (async () => {
      const startedAt = clock.now().getTime();
      logger.info("trigger stopping", { reason });
      registry.clear(new Error(`trigger stopping: ${reason}`));
      queue.close(); // answers parked Watch calls with an empty response
      lifetime.abort();
      const graceful = new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      const force = new AbortController();
      const forced = clock.sleep(options.forceStopAfterMs ?? 15_000, force.signal).then(
        () => {
          logger.warn("graceful stop timed out; forcing");
          server.forceShutdown();
        },
        () => {},
      );
      await Promise.race([graceful, forced]);
      force.abort();
      logger.info("trigger stopped", { durationMs: clock.now().getTime() - startedAt });
      resolveStopped();
    })();
    return stopping;
  }

  return { port, queue, stop, stopped };
}
