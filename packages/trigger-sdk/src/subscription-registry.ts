// The subscriptions a trigger holds, keyed by (namespace, pipeline, label) and nothing else. A repeated Subscribe for
// the same key replaces the old subscription and aborts its signal, so its timers and producers stop (the original
// interval leaked a goroutine that fired forever, spec §7 #10). Unsubscribe of an unknown key is not an error.
//
// Indexed by pipeline id alone, with the (rare) subscriptions that share one in a small array: the map's key is then
// the subscription's own pipelineId string, where a joined key would be a second string (~100 bytes) per subscription.

import { formatSubscriptionKey, type SubscriptionKey } from "@gofer/kernel";

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

function sameKey(a: SubscriptionKey, b: SubscriptionKey): boolean {
  return a.pipelineId === b.pipelineId && a.namespaceId === b.namespaceId && a.label === b.label;
}

export class SubscriptionRegistry<V extends RegisteredSubscription> {
  /** By pipeline id: the one subscription, or all of them when several share it (other namespaces or labels). */
  private readonly byPipeline = new Map<string, V | V[]>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Adds (or replaces) the subscription for its key. Returns true when it replaced one, which is cancelled. */
  set(value: V): boolean {
    const key = value.key;
    const slot = this.byPipeline.get(key.pipelineId);
    let previous: V | undefined;
    if (slot === undefined) {
      this.byPipeline.set(key.pipelineId, value);
    } else if (!Array.isArray(slot)) {
      if (sameKey(slot.key, key)) {
        previous = slot;
        this.byPipeline.set(key.pipelineId, value);
      } else {
        this.byPipeline.set(key.pipelineId, [slot, value]);
      }
    } else {
      const i = slot.findIndex((entry) => sameKey(entry.key, key));
      if (i === -1) slot.push(value);
      else {
        previous = slot[i];
        slot[i] = value;
      }
    }
    if (previous === undefined) {
      this.count += 1;
      return false;
    }
    previous.cancel(new SubscriptionReplacedError(`subscription ${formatSubscriptionKey(key)} replaced`));
    return true;
  }

  get(key: SubscriptionKey): V | undefined {
    const slot = this.byPipeline.get(key.pipelineId);
    if (slot === undefined) return undefined;
    if (!Array.isArray(slot)) return sameKey(slot.key, key) ? slot : undefined;
    return slot.find((entry) => sameKey(entry.key, key));
  }

  /** Removes and cancels the subscription for key. Returns false when there was none (which is fine). */
  delete(key: SubscriptionKey): boolean {
    const slot = this.byPipeline.get(key.pipelineId);
    if (slot === undefined) return false;
    let entry: V | undefined;
    if (!Array.isArray(slot)) {
      if (!sameKey(slot.key, key)) return false;
      entry = slot;
      this.byPipeline.delete(key.pipelineId);
    } else {
      const i = slot.findIndex((candidate) => sameKey(candidate.key, key));
      if (i === -1) return false;
      entry = slot[i] as V;
      slot.splice(i, 1);
      if (slot.length === 1) this.byPipeline.set(key.pipelineId, slot[0] as V);
    }
    this.count -= 1;
    entry.cancel(new SubscriptionRemovedError(`subscription ${formatSubscriptionKey(key)} removed`));
    return true;
  }

  /** Removes and cancels every subscription. */
  clear(reason: unknown): void {
    const all = [...this.values()];
    this.byPipeline.clear();
    this.count = 0;
    for (const entry of all) entry.cancel(reason);
  }

  *values(): IterableIterator<V> {
    for (const slot of this.byPipeline.values()) {
      if (Array.isArray(slot)) yield* slot;
      else yield slot;
    }
  }

  *keys(): IterableIterator<SubscriptionKey> {
    for (const entry of this.values()) yield entry.key;
  }
}
