import { TriggerClient } from "@gofer/kernel";
import { TriggerWatchResponse_Result } from "@gofer/proto";
import { status } from "@grpc/grpc-js";
import { afterEach, describe, expect, test, vi } from "vitest";
import { startTestTrigger, type TestTrigger } from "../src/testing.js";
import type { Subscription, TriggerFactory } from "../src/trigger.js";

const key = { namespaceId: "ns", pipelineId: "pl", pipelineTriggerLabel: "lab" };

/** A trigger whose subscriptions fire when the test says so. */
function manualTrigger() {
  const subscriptions: Subscription[] = [];
  const ended: string[] = [];
  let shutdownCalls = 0;
  const factory: TriggerFactory = () => ({
    documentation: "https://example.invalid/manual",
    subscribe(subscription) {
      if (subscription.settings.get("REFUSE"))
        throw new Error(`setting REFUSE = "${subscription.settings.get("REFUSE")}" refused`);
      subscription.signal.addEventListener("abort", () => ended.push(subscription.key.label));
      subscriptions.push(subscription);
    },
    shutdown() {
      shutdownCalls += 1;
    },
  });
  return { factory, subscriptions, ended, shutdownCalls: () => shutdownCalls };
}

let trigger: TestTrigger | undefined;
afterEach(async () => {
  await trigger?.close();
  trigger = undefined;
});

async function expectCode(promise: Promise<unknown>, code: status, details?: string) {
  const error = (await promise.then(
    () => undefined,
    (e: unknown) => e,
  )) as { code?: number; details?: string } | undefined;
  expect(error?.code).toBe(code);
  if (details !== undefined) expect(error?.details).toBe(details);
}

describe("trigger server contract (spec §3.3)", () => {
  test("Info needs the bearer key and reports the installed name, not the implementation's", async () => {
    const manual = manualTrigger();
    trigger = await startTestTrigger(manual.factory, { name: "my-interval" });
    const info = await trigger.client.info();
    expect(info).toEqual({ name: "my-interval", documentation: "https://example.invalid/manual", registered: [] });

    const wrong = new TriggerClient({ address: trigger.address, key: "nope", certPem: trigger.certPem });
    await expectCode(wrong.info(), status.UNAUTHENTICATED, "invalid auth token");
    wrong.close();
  });

  test.each([
    [undefined, "Request unauthenticated with bearer"],
    ["Basic abc", "Request unauthenticated with bearer"],
    ["Bearerabc", "Bad authorization string"],
  ])("authorization %j is refused with %j", async (header, message) => {
    const { checkBearer } = await import("../src/trigger-server.js");
    expect(checkBearer(header, "abc")).toEqual({ code: status.UNAUTHENTICATED, details: message });
    expect(checkBearer("bEaReR abc", "abc")).toBeUndefined();
  });

  test("Watch returns queued events in order with the subscription's key and result", async () => {
    const manual = manualTrigger();
    trigger = await startTestTrigger(manual.factory);
    await trigger.client.subscribe({ ...key, config: {} });
    const [subscription] = manual.subscriptions;
    await subscription?.emit({ details: "one", metadata: { A: "1" } });
    await subscription?.emit({ details: "two", result: "SKIPPED" });
    const watch = new AbortController();
    const first = await trigger.client.watch(watch.signal);
    const second = await trigger.client.watch(watch.signal);
    expect(first).toEqual({
      details: "one",
      namespaceId: "ns",
      pipelineId: "pl",
      pipelineTriggerLabel: "lab",
      result: TriggerWatchResponse_Result.SUCCESS,
      metadata: { A: "1" },
    });
    expect([second.details, second.result]).toEqual(["two", TriggerWatchResponse_Result.SKIPPED]);
    expect((await trigger.client.info()).registered).toEqual(["ns/pl"]);
  });

  test("a Watch cancelled by its caller loses no event", async () => {
    const manual = manualTrigger();
    trigger = await startTestTrigger(manual.factory);
    await trigger.client.subscribe({ ...key, config: {} });
    const cancel = new AbortController();
    const parked = trigger.client.watch(cancel.signal);
    await vi.waitFor(() => expect(trigger?.running.queue.stats().waitingTakers).toBe(1));
    cancel.abort();
    await expectCode(parked, status.CANCELLED);
    // The event happens after the trigger saw the cancellation (an event handed out while the cancellation is still
    // on the wire cannot be saved: the protocol has no delivery acknowledgement).
    await vi.waitFor(() => expect(trigger?.running.queue.stats().waitingTakers).toBe(0));
    await manual.subscriptions[0]?.emit({ details: "after cancel" });
    const next = await trigger.client.watch(new AbortController().signal);
    expect(next.details).toBe("after cancel");
  });

  test("a refused Subscribe returns the trigger's own message and keeps the previous subscription", async () => {
    const manual = manualTrigger();
    trigger = await startTestTrigger(manual.factory);
    await trigger.client.subscribe({ ...key, config: {} });
    await expectCode(
      trigger.client.subscribe({ ...key, config: { REFUSE: "yes" } }),
      status.INVALID_ARGUMENT,
      'setting REFUSE = "yes" refused',
    );
    expect(manual.ended).toEqual([]);
    expect((await trigger.client.info()).registered).toEqual(["ns/pl"]);
  });

  test("a repeated Subscribe replaces the old subscription and stops it", async () => {
    const manual = manualTrigger();
    trigger = await startTestTrigger(manual.factory);
    await trigger.client.subscribe({ ...key, config: {} });
    await trigger.client.subscribe({ ...key, config: {} });
    expect(manual.ended).toEqual(["lab"]);
    expect(manual.subscriptions[0]?.signal.aborted).toBe(true);
    expect(await manual.subscriptions[0]?.emit({ details: "stale" })).toBe(false);
  });

  test("Unsubscribe stops the subscription, and an unknown one is not an error", async () => {
    const manual = manualTrigger();
    trigger = await startTestTrigger(manual.factory);
    await trigger.client.subscribe({ ...key, config: {} });
    await trigger.client.unsubscribe(key);
    expect(manual.ended).toEqual(["lab"]);
    await trigger.client.unsubscribe({ ...key, pipelineTriggerLabel: "never" });
    await expectCode(
      trigger.client.subscribe({ namespaceId: "", pipelineId: "pl", pipelineTriggerLabel: "", config: {} }),
      status.INVALID_ARGUMENT,
      "request missing required field: namespace_id, pipeline_trigger_label",
    );
  });

  test("Shutdown calls the implementation, answers parked Watch calls empty, and stops the server", async () => {
    const manual = manualTrigger();
    trigger = await startTestTrigger(manual.factory);
    await trigger.client.subscribe({ ...key, config: {} });
    const parked = trigger.client.watch(new AbortController().signal);
    await trigger.client.shutdown();
    expect(await parked).toMatchObject({ pipelineTriggerLabel: "", details: "" });
    await trigger.running.stopped;
    expect(manual.shutdownCalls()).toBe(1);
    expect(manual.ended).toEqual(["lab"]);
  });

  test("a full queue holds producers until Watch drains it", async () => {
    const manual = manualTrigger();
    trigger = await startTestTrigger(manual.factory, { queueCapacity: 2 });
    await trigger.client.subscribe({ ...key, config: {} });
    const sub = manual.subscriptions[0] as Subscription;
    const emits = [1, 2, 3, 4].map((n) => sub.emit({ details: String(n) }));
    expect(trigger.running.queue.stats()).toMatchObject({ queued: 2, waitingProducers: 2 });
    const details: string[] = [];
    for (let i = 0; i < 4; i++) details.push((await trigger.client.watch(new AbortController().signal)).details);
    expect(details).toEqual(["1", "2", "3", "4"]);
    expect(await Promise.all(emits)).toEqual([true, true, true, true]);
  });
});
