// Level-triggered subscriptions: a pipeline naming a trigger that is installed but not running yet is accepted, its
// subscription shows as pending on the pipeline, and the reconcile that follows the trigger's start makes it and
// clears the note. A trigger that refuses, or one that is not installed, is still an error for the caller.
import { describe, expect, test } from "vitest";
import { createLogger } from "winston";
import type { PluginConnection } from "../src/triggers/plugin-connection.js";
import {
  SubscriptionManager,
  type SubscriptionRecord,
  type SubscriptionStore,
  type TriggerConnections,
} from "../src/triggers/subscription-manager.js";

const logger = createLogger({ silent: true });

function fakes() {
  const stored: SubscriptionRecord[] = [];
  const errors = new Map<string, string>();
  const subscribed: string[] = [];
  let state: "running" | "starting" | "absent" = "starting";
  let refuse = false;
  const client = {
    subscribe: async (t: { pipelineId: string }) => {
      if (refuse) throw Object.assign(new Error("refused"), { details: "EVERY is required" });
      subscribed.push(t.pipelineId);
    },
    unsubscribe: async () => {},
  } as unknown as PluginConnection;
  const store: SubscriptionStore = {
    listSubscriptions: async (name) => stored.filter((s) => s.triggerName === name),
    setSubscriptionError: async (s, message) => {
      if (message === null) errors.delete(s.pipelineId);
      else errors.set(s.pipelineId, message);
    },
  };
  const connections: TriggerConnections = {
    connection: (name) =>
      state === "running"
        ? { client }
        : state === "starting"
          ? { unavailable: `trigger "${name}" is not running yet (state PROCESSING)`, pending: true }
          : { unavailable: `trigger "${name}" is not installed or not enabled` },
  };
  return {
    manager: new SubscriptionManager(store, connections, logger),
    stored,
    errors,
    subscribed,
    set: (next: typeof state) => {
      state = next;
    },
    refuse: () => {
      refuse = true;
    },
  };
}

const sub = (pipelineId: string): SubscriptionRecord => ({
  namespaceId: "default",
  pipelineId,
  label: "every",
  triggerName: "interval",
  settings: { EVERY: "1s" },
});

describe("subscriptions to a trigger that is not running yet", () => {
  test("are accepted as pending, shown on the pipeline, and made once the trigger is ready", async () => {
    const f = fakes();
    const s = sub("early");
    f.stored.push(s);
    await f.manager.apply([], [s]);
    expect(f.subscribed).toEqual([]);
    expect(f.errors.get("early")).toBe(
      'pending: trigger "interval" is not running yet (state PROCESSING); it is made as soon as the trigger is ready',
    );
    f.set("running");
    await f.manager.reconcile("interval");
    expect(f.subscribed).toEqual(["early"]);
    expect(f.errors.has("early")).toBe(false);
  });

  test("a refusal by a running trigger and a trigger that is not installed are still errors", async () => {
    const f = fakes();
    f.set("absent");
    await expect(f.manager.apply([], [sub("nowhere")])).rejects.toThrow(
      'could not subscribe subscription "every" of pipeline "default/nowhere" to trigger "interval": trigger "interval" is not installed or not enabled',
    );
    f.set("running");
    f.refuse();
    await expect(f.manager.apply([], [sub("refused")])).rejects.toThrow(
      'could not subscribe subscription "every" of pipeline "default/refused" to trigger "interval": EVERY is required',
    );
  });
});
