// The Subscription an implementation is handed. Kept small on purpose (a trigger may hold 10,000 of them): emit is a
// prototype method, and the AbortSignal is only made if something asks for it: an author reading `signal`, or a
// producer that has to wait for room in a full queue. Timers use `aborted` directly. The namespace, the label and the
// settings are shared with other subscriptions that have equal ones (shared-values.ts).

import type { SubscriptionKey } from "@gofer/kernel";
import type { EventQueue } from "./event-queue.js";
import type { SubscriptionSettings } from "./settings.js";
import { SharedValues } from "./shared-values.js";
import type { EventInput, Subscription, TriggerEvent } from "./trigger.js";

/** Namespaces and labels: a trigger sees few distinct ones. */
const names = new SharedValues<string>();

/** What cancelReason holds while the subscription lives (one field for "cancelled?" and "why"). */
const LIVE = Symbol("live");

export class SubscriptionHandle implements Subscription, SubscriptionKey {
  readonly namespaceId: string;
  readonly pipelineId: string;
  readonly label: string;
  readonly settings: SubscriptionSettings;
  private controller: AbortController | undefined;
  private cancelReason: unknown = LIVE;

  constructor(
    key: SubscriptionKey,
    settings: SubscriptionSettings,
    private readonly queue: EventQueue<TriggerEvent>,
  ) {
    this.namespaceId = SharedValues.string(names, key.namespaceId);
    this.pipelineId = key.pipelineId;
    this.label = SharedValues.string(names, key.label);
    this.settings = settings.shared();
  }

  /** The handle is its own key: one object less per subscription. */
  get key(): SubscriptionKey {
    return this;
  }

  get aborted(): boolean {
    return this.cancelReason !== LIVE;
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.cancelReason);
    }
    return this.controller.signal;
  }

  /** Ends the subscription (unsubscribe, replacement, shutdown); idempotent. */
  cancel(reason: unknown): void {
    if (this.aborted) return;
    this.cancelReason = reason;
    this.controller?.abort(reason);
  }

  async emit(event: EventInput): Promise<boolean> {
    if (this.aborted) return false;
    const item: TriggerEvent = {
      key: this.key,
      result: event.result ?? "SUCCESS",
      details: event.details,
      metadata: event.metadata ?? {},
    };
    if (this.queue.tryPush(item)) return true;
    try {
      await this.queue.push(item, this.signal); // the queue is full: wait, cancellably
      return true;
    } catch {
      return false; // the subscription ended or the queue closed while waiting for room
    }
  }
}
