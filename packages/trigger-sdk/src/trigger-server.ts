// The proto.TriggerService server a trigger runs (spec §3.3): TLS from PEM text, a Bearer check on every call with the
// original's messages, Info.name forced to the configured name, Watch draining the event queue, and a stop that is
// graceful first and forced after a grace period. All six methods are served on one port by the lean HTTP/2 gRPC
// server (unary-grpc-server.ts) with the generated message codecs; grpc-js is not loaded.
//
// States: STARTING → SERVING → STOPPING → STOPPED. stop() is idempotent and returns the same promise every time.

import { formatSubscriptionKey, type SubscriptionKey } from "@gofer/kernel";
import { type Clock, systemClock } from "@gofer/kernel/clock";
import {
  TriggerExternalEventRequest,
  TriggerInfoResponse,
  TriggerSubscribeRequest,
  TriggerUnsubscribeRequest,
} from "@gofer/proto/transport";
import { EventQueue } from "./event-queue.js";
import { type ExternalEvent, parseExternalEvent } from "./external-event.js";
import { GrpcStatus, type RpcStatus } from "./grpc-status.js";
import { exposedGc, IdleCollector } from "./idle-collector.js";
import type { Logger } from "./logger.js";
import { SubscriptionSettings } from "./settings.js";
import { SubscriptionHandle } from "./subscription-handle.js";
import { SubscriptionRegistry } from "./subscription-registry.js";
import { TimerQueue } from "./timer-queue.js";
import type { TriggerDefinition, TriggerEvent, TriggerFactory } from "./trigger.js";
import { startUnaryGrpcServer, type UnaryCall, type UnaryHandler } from "./unary-grpc-server.js";
import { encodeWatchAnswer } from "./watch-answer.js";

export { toWatchResponse } from "./watch-answer.js";

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

const SERVICE = "/proto.TriggerService/";
/** Every empty message (the Subscribe, Unsubscribe, Shutdown, ExternalEvent and empty Watch responses) encodes to this. */
const EMPTY = new Uint8Array(0);

function unauthenticated(details: string): RpcStatus {
  return { code: GrpcStatus.UNAUTHENTICATED, details };
}

/**
 * The original SDK's bearer check (go-grpc-middleware auth.AuthFromMD plus an exact key compare), on the value of the
 * call's `authorization` header.
 */
export function checkBearer(authorization: string | undefined, key: string): RpcStatus | undefined {
  const value = authorization ?? "";
  if (value === "") return unauthenticated("Request unauthenticated with bearer");
  const space = value.indexOf(" ");
  if (space === -1) return unauthenticated("Bad authorization string");
  if (value.slice(0, space).toLowerCase() !== "bearer") return unauthenticated("Request unauthenticated with bearer");
  if (value.slice(space + 1) !== key) return unauthenticated("invalid auth token");
  return undefined;
}

/** A client sends the same authorization on every call: the check of the last value is kept for the next call. */
function lastCheckKept(check: (authorization: string | undefined) => RpcStatus | undefined) {
  let last: { authorization: string | undefined; verdict: RpcStatus | undefined } | undefined;
  return (authorization: string | undefined): RpcStatus | undefined => {
    if (last === undefined || last.authorization !== authorization)
      last = { authorization, verdict: check(authorization) };
    return last.verdict;
  };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function invalid(message: string): Error {
  return Object.assign(new Error(message), { code: GrpcStatus.INVALID_ARGUMENT });
}

function keyOf(request: TriggerSubscribeRequest | TriggerUnsubscribeRequest): SubscriptionKey {
  const key = { namespaceId: request.namespaceId, pipelineId: request.pipelineId, label: request.pipelineTriggerLabel };
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

  // Transport-level, like the server's own timers: on the system clock, not the trigger's (possibly fake) one.
  const idleCollector = new IdleCollector(exposedGc(), lifetime.signal);
  let stopping: Promise<void> | undefined;
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((resolve) => {
    resolveStopped = resolve;
  });

  function watch(_request: Uint8Array, call: UnaryCall): Uint8Array | undefined | Promise<Uint8Array | undefined> {
    // With events waiting (a busy trigger), answer at once: no AbortSignal, no promise. Nothing can cancel the call
    // between this check and the answer (both run in this one turn of the event loop), so nothing is requeued.
    if (queue.size > 0) {
      if (call.cancelled) return undefined;
      return encodeWatchAnswer(queue.tryTake() as TriggerEvent);
    }
    return parkedWatch(call);
  }

  /** A Watch that found the queue empty waits for the next event, or for its caller to go away. */
  async function parkedWatch(call: UnaryCall): Promise<Uint8Array | undefined> {
    const event = await queue.take(call.signal);
    if (call.cancelled) {
      // The caller went away between the take and the answer: keep the event for the next Watch. (A cancellation
      // still in flight on the network when the answer is sent cannot be detected: the protocol has no
      // acknowledgement. Gofer therefore ends Watch calls with Shutdown, which answers them empty, not by cancelling.)
      if (event !== undefined) queue.requeue(event);
      return undefined;
    }
    return event === undefined ? EMPTY : encodeWatchAnswer(event);
  }

  async function info(): Promise<Uint8Array> {
    const registered = new Set<string>();
    for (const key of registry.keys()) registered.add(`${key.namespaceId}/${key.pipelineId}`);
    const response = {
      name: options.name,
      documentation: definition.documentation,
      registered: [...registered].sort(),
    };
    return TriggerInfoResponse.encode(response).finish();
  }

  async function subscribe(bytes: Uint8Array): Promise<Uint8Array> {
    idleCollector.touch();
    const request = TriggerSubscribeRequest.decode(bytes);
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
    return EMPTY;
  }

  async function unsubscribe(bytes: Uint8Array): Promise<Uint8Array> {
    idleCollector.touch();
    const key = keyOf(TriggerUnsubscribeRequest.decode(bytes));
    const existed = registry.delete(key);
    logger.info(existed ? "unsubscribed" : "unsubscribe of unknown subscription ignored", {
      subscription: formatSubscriptionKey(key),
    });
    return EMPTY;
  }

  async function shutdown(): Promise<Uint8Array> {
    await definition.shutdown?.();
    // Answer first, then stop: the caller sees OK and the process exits right after.
    setImmediate(() => void stop("Shutdown requested"));
    return EMPTY;
  }

  async function externalEvent(bytes: Uint8Array): Promise<Uint8Array> {
    const request = TriggerExternalEventRequest.decode(bytes);
    if (!definition.externalEvent) {
      logger.warn("external event ignored: this trigger takes none", { bytes: request.payload.length });
      return EMPTY;
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
    return EMPTY;
  }

  const methods = new Map<string, UnaryHandler>([
    [`${SERVICE}Watch`, watch],
    [`${SERVICE}Info`, info],
    [`${SERVICE}Subscribe`, subscribe],
    [`${SERVICE}Unsubscribe`, unsubscribe],
    [`${SERVICE}Shutdown`, shutdown],
    [`${SERVICE}ExternalEvent`, externalEvent],
  ]);
  const server = await startUnaryGrpcServer({
    host: options.host,
    tls: options.tls,
    methods,
    // Runs before any handler, so handlers never see the token.
    authorize: lastCheckKept((authorization) => checkBearer(authorization, options.key)),
  });
  const port = server.port;
  logger.info("trigger listening", { host: options.host, port, tls: options.tls !== null });

  function stop(reason = "stop requested"): Promise<void> {
    stopping ??= (async () => {
      const startedAt = clock.now().getTime();
      logger.info("trigger stopping", { reason });
      registry.clear(new Error(`trigger stopping: ${reason}`));
      queue.close(); // answers parked Watch calls with an empty response
      lifetime.abort();
      if (await server.close(options.forceStopAfterMs ?? 15_000, clock)) logger.warn("graceful stop timed out; forced");
      logger.info("trigger stopped", { durationMs: clock.now().getTime() - startedAt });
      resolveStopped();
    })();
    return stopping;
  }

  return { port, queue, stop, stopped };
}
