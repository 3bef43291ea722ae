import { expect, test } from "vitest";
import { SubscriptionSettings } from "../src/settings.js";
import { SharedValues } from "../src/shared-values.js";
import {
  type RegisteredSubscription,
  SubscriptionRegistry,
  SubscriptionRemovedError,
  SubscriptionReplacedError,
} from "../src/subscription-registry.js";

class Entry implements RegisteredSubscription {
  reason: unknown;
  constructor(
    readonly key: { namespaceId: string; pipelineId: string; label: string },
    readonly name: string,
  ) {}
  cancel(reason: unknown): void {
    this.reason = reason;
  }
}

const key = (namespaceId: string, pipelineId: string, label: string) => ({ namespaceId, pipelineId, label });

test("subscriptions that share a pipeline id (other namespace or label) are kept apart", () => {
  const registry = new SubscriptionRegistry<Entry>();
  const a = new Entry(key("ns1", "p", "hourly"), "a");
  const b = new Entry(key("ns2", "p", "hourly"), "b");
  const c = new Entry(key("ns1", "p", "daily"), "c");
  const d = new Entry(key("ns1", "q", "hourly"), "d");
  for (const entry of [a, b, c, d]) expect(registry.set(entry)).toBe(false);
  expect(registry.size).toBe(4);
  expect(registry.get(key("ns2", "p", "hourly"))).toBe(b);
  expect(registry.get(key("ns2", "p", "daily"))).toBeUndefined();
  expect(registry.get(key("ns1", "q", "daily"))).toBeUndefined();
  expect([...registry.values()].map((e) => e.name).sort()).toEqual(["a", "b", "c", "d"]);
  expect([...registry.keys()]).toHaveLength(4);
});

test("a repeated key replaces and cancels the old subscription; delete cancels; unknown keys are no error", () => {
  const registry = new SubscriptionRegistry<Entry>();
  const a = new Entry(key("ns1", "p", "hourly"), "a");
  const b = new Entry(key("ns2", "p", "hourly"), "b");
  const single = new Entry(key("ns1", "q", "hourly"), "single");
  registry.set(a);
  registry.set(b);
  registry.set(single);
  const a2 = new Entry(key("ns1", "p", "hourly"), "a2");
  const single2 = new Entry(key("ns1", "q", "hourly"), "single2");
  expect(registry.set(a2)).toBe(true);
  expect(registry.set(single2)).toBe(true);
  expect(a.reason).toBeInstanceOf(SubscriptionReplacedError);
  expect(single.reason).toBeInstanceOf(SubscriptionReplacedError);
  expect(registry.size).toBe(3);
  expect(registry.get(key("ns1", "p", "hourly"))).toBe(a2);

  expect(registry.delete(key("ns1", "p", "hourly"))).toBe(true);
  expect(a2.reason).toBeInstanceOf(SubscriptionRemovedError);
  expect(registry.delete(key("ns1", "p", "hourly"))).toBe(false);
  expect(registry.delete(key("ns9", "p", "hourly"))).toBe(false);
  expect(registry.delete(key("ns1", "nope", "hourly"))).toBe(false);
  expect(registry.get(key("ns2", "p", "hourly"))).toBe(b);
  expect(registry.delete(key("ns2", "p", "hourly"))).toBe(true);
  expect(registry.get(key("ns2", "p", "hourly"))).toBeUndefined();
  expect(registry.size).toBe(1);

  const stop = new Error("stop");
  registry.clear(stop);
  expect(single2.reason).toBe(stop);
  expect(registry.size).toBe(0);
  expect([...registry.values()]).toEqual([]);
});

test("equal settings and names are shared; the pool starts over once full", () => {
  const one = new SubscriptionSettings({ EVERY: "1h", X: "y" }).shared();
  const two = new SubscriptionSettings({ X: "y", EVERY: "1h" }).shared();
  const other = new SubscriptionSettings({ EVERY: "2h", X: "y" }).shared();
  expect(two).toBe(one);
  expect(other).not.toBe(one);
  expect(two.get("every")).toBe("1h");

  // (Strings compare by value in JS, so the pool is checked with objects: strings go the same way.)
  const pool = new SharedValues<{ n: number }>(2);
  const first = pool.get("a", () => ({ n: 1 }));
  expect(pool.get("a", () => ({ n: 2 }))).toBe(first);
  pool.get("b", () => ({ n: 3 }));
  pool.get("c", () => ({ n: 4 })); // full: starts over
  expect(pool.get("a", () => ({ n: 5 }))).toEqual({ n: 5 });
});
