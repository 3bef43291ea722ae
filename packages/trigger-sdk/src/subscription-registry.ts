// The subscriptions a trigger holds, keyed by (namespace, pipeline, label) and nothing else. A repeated Subscribe for
// the same key replaces the old subscription and aborts its signal, so its timers and producers stop (the original
// interval leaked a goroutine that fired forever, spec §7 #10). Unsubscribe of an unknown key is not an error.

import { formatSubscriptionKey, type SubscriptionKey, subscriptionKeyId } from "@gofer/kernel";

export class SubscriptionReplacedError extends Error {
  override name = "SubscriptionReplacedError";
}

export class SubscriptionRemovedError extends Error {
  override name = "SubscriptionRemovedError";
}

/** What the registry holds: anything that knows its key and can be cancelled. */
export interface RegisteredSubscription {
  readonly key: SubscriptionKey;
  cancel(reason: unknown): void;
}

export class SubscriptionRegistry<V extends RegisteredSubscription> {
  private readonly entries = new Map<string, V>();

  get size(): number {
    return this.entries.size;
  }

  /** Adds (or replaces) the subscription for its key. Returns true when it replaced one, which is cancelled. */
  set(value: V): boolean {
    const id = subscriptionKeyId(value.key);
    const previous = this.entries.get(id);
    this.entries.set(id, value);
    previous?.cancel(new SubscriptionReplacedError(`subscription ${formatSubscriptionKey(value.key)} replaced`));
    return previous !== undefined;
  }

  get(key: SubscriptionKey): V | undefined {
    return this.entries.get(subscriptionKeyId(key));
  }

  /** Removes and cancels the subscription for key. Returns false when there was none (which is fine). */
  delete(key: SubscriptionKey): boolean {
    const id = subscriptionKeyId(key);
    const entry = this.entries.get(id);
    if (!entry) return false;
    this.entries.delete(id);
    entry.cancel(new SubscriptionRemovedError(`subscription ${formatSubscriptionKey(key)} removed`));
    return true;
  }

  /** Removes and cancels every subscription. */
  clear(reason: unknown): void {
    const all = [...this.entries.values()];
    this.entries.clear();
    for (const entry of all) entry.cancel(reason);
  }

  values(): IterableIterator<V> {
    return this.entries.values();
  }

  *keys(): IterableIterator<SubscriptionKey> {
    for (const entry of this.entries.values()) yield entry.key;
  }
}
