// What a trigger author implements. The SDK owns the gRPC service, the auth check, the event queue Watch drains and
// the subscription registry; the author only decides when a subscription's events happen.

import type { SubscriptionKey } from "@gofer/kernel";
import type { Clock } from "@gofer/kernel/clock";
import type { ExternalEvent } from "./external-event.js";
import type { Logger } from "./logger.js";
import type { SubscriptionSettings } from "./settings.js";
import type { TimerQueue } from "./timer-queue.js";

export type EventResult = "SUCCESS" | "FAILURE" | "SKIPPED";

/** One event as it waits in the queue for a Watch call. */
export interface TriggerEvent {
  key: SubscriptionKey;
  result: EventResult;
  details: string;
  metadata: Record<string, string>;
}

export interface EventInput {
  /** Default SUCCESS. */
  result?: EventResult;
  details: string;
  metadata?: Record<string, string>;
}

export interface Subscription {
  readonly key: SubscriptionKey;
  readonly settings: SubscriptionSettings;
  /** Aborts when the subscription is removed, replaced by a new Subscribe for the same key, or the trigger stops. */
  readonly signal: AbortSignal;
  /** The same as signal.aborted, without making a signal: cheap enough to check in timers. */
  readonly aborted: boolean;
  /**
   * Queues an event for this subscription, waiting while the queue is full. Resolves true once queued, false when the
   * subscription ended or the trigger shut down first (the event is then dropped, never pushed into a closed queue).
   */
  emit(event: EventInput): Promise<boolean>;
}

/** What a trigger gets when it starts in server mode. */
export interface TriggerContext {
  /** GOFER_PLUGIN_SYSTEM_NAME. */
  readonly name: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly env: NodeJS.ProcessEnv;
  /** A shared timer for all subscriptions, running for the trigger's lifetime. */
  readonly timers: TimerQueue;
  /** Aborts when the trigger stops. */
  readonly signal: AbortSignal;
  subscriptions(): Subscription[];
}

export interface TriggerDefinition {
  /** The documentation link Info returns. */
  documentation: string;
  /**
   * Called for every Subscribe. Validate the settings (throw an Error whose message says what is wrong: Gofer shows it
   * to the pipeline author) and arrange for events; return promptly and stop when subscription.signal aborts.
   */
  subscribe(subscription: Subscription): void | Promise<void>;
  /**
   * A webhook forwarded by Gofer (POST /external/<trigger name>), parsed from the HTTP/1.1 bytes Gofer sends; `raw`
   * holds those bytes. Queue events with subscription.emit; throw to refuse the delivery (the message goes to the
   * trigger's log and back to Gofer, which answers the sender 500).
   */
  externalEvent?(event: ExternalEvent): void | Promise<void>;
  /** Called on the Shutdown RPC before the server stops; an error keeps the trigger running (as the original). */
  shutdown?(): void | Promise<void>;
}

/** Builds the trigger in server mode; a throw is a startup error (bad install config, say). */
export type TriggerFactory = (context: TriggerContext) => TriggerDefinition | Promise<TriggerDefinition>;
