// The lean Watch client against a real trigger server (TLS, Bearer) and against HTTP/2 servers that misbehave.
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { generateCertificate, WatchChannel } from "@gofer/kernel";
import { status } from "@grpc/grpc-js";
import { afterEach, describe, expect, test } from "vitest";
import { startTestTrigger, type TestTrigger } from "../src/testing.js";
import type { Subscription } from "../src/trigger.js";

const key = { namespaceId: "ns", pipelineId: "pl", pipelineTriggerLabel: "lab" };
const closers: Array<() => unknown> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function failure(promise: Promise<unknown>) {
  return (await promise.then(
    () => undefined,
    (e: unknown) => e,
  )) as { code?: number; details?: string } | undefined;
}

async function triggerWithSubscription(): Promise<{ trigger: TestTrigger; subscription: Subscription }> {
  let subscription: Subscription | undefined;
  const trigger = await startTestTrigger(() => ({
    documentation: "",
    subscribe(s) {
      subscription = s;
    },
  }));
  closers.push(() => trigger.close());
  await trigger.client.subscribe({ ...key, config: {} });
  if (!subscription) throw new Error("not subscribed");
  return { trigger, subscription };
}

function channelTo(trigger: TestTrigger, overrides: { key?: string; certPem?: string } = {}) {
  const channel = new WatchChannel({
    address: trigger.address,
    key: overrides.key ?? trigger.key,
    certPem: overrides.certPem ?? trigger.certPem,
  });
  closers.push(() => channel.close());
  return channel;
}

/** A plaintext HTTP/2 server answering every stream with `respond`. */
async function http2Server(respond: (stream: http2.ServerHttp2Stream) => void) {
  const server = http2.createServer();
  server.on("stream", (stream) => {
    stream.on("error", () => {}); // the resets these tests cause
    stream.on("data", () => {});
    stream.on("end", () => respond(stream));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => new Promise((resolve) => server.close(resolve)));
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on("session", (s) => {
    sessions.add(s);
    s.on("close", () => sessions.delete(s));
  });
  closers.push(() => {
    for (const s of sessions) s.destroy();
  });
  const channel = new WatchChannel({
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    key: "k",
    certPem: null,
  });
  closers.push(() => channel.close());
  return channel;
}

describe("WatchChannel", () => {
  test("returns queued events in order, decoded, over TLS with the Bearer key", async () => {
    const { trigger, subscription } = await triggerWithSubscription();
    await subscription.emit({ details: "one", metadata: { A: "1" } });
    await subscription.emit({ details: "two", result: "FAILURE" });
    const channel = channelTo(trigger);
    const signal = new AbortController().signal;
    const first = await channel.watch(signal);
    const second = await channel.watch(signal);
    expect(first).toMatchObject({ details: "one", pipelineTriggerLabel: "lab", result: 1, metadata: { A: "1" } });
    expect(second).toMatchObject({ details: "two", result: 2 });
  });

  test("a wrong key fails with the trigger's UNAUTHENTICATED status and message", async () => {
    const { trigger } = await triggerWithSubscription();
    const error = await failure(channelTo(trigger, { key: "nope" }).watch(new AbortController().signal));
    expect(error).toMatchObject({ code: status.UNAUTHENTICATED, details: "invalid auth token" });
  });

  test("a certificate other than the one given is not trusted", async () => {
    const { trigger } = await triggerWithSubscription();
    const other = await generateCertificate();
    const error = await failure(channelTo(trigger, { certPem: other.certPem }).watch(new AbortController().signal));
    expect(error?.code).toBe(status.UNAVAILABLE);
  });

  test("aborting a parked Watch rejects with CANCELLED and the trigger keeps its next event", async () => {
    const { trigger, subscription } = await triggerWithSubscription();
    const channel = channelTo(trigger);
    const cancel = new AbortController();
    const parked = channel.watch(cancel.signal);
    await expect.poll(() => trigger.running.queue.stats().waitingTakers).toBe(1); // parked at the trigger
    cancel.abort();
    expect((await failure(parked))?.code).toBe(status.CANCELLED);
    await expect.poll(() => trigger.running.queue.stats().waitingTakers).toBe(0); // the RST_STREAM reached the trigger
    await subscription.emit({ details: "after" });
    expect((await channel.watch(new AbortController().signal)).details).toBe("after");
  });

  test("a stopping trigger answers the parked call empty; once it is gone, calls fail with UNAVAILABLE", async () => {
    const { trigger } = await triggerWithSubscription();
    const channel = channelTo(trigger);
    const parked = channel.watch(new AbortController().signal);
    await expect.poll(() => trigger.running.queue.stats().waitingTakers).toBe(1); // parked at the trigger
    await trigger.running.stop("test");
    const ended = await parked.then(
      (response) => ({ response }),
      (error: { code?: number }) => ({ code: error.code }),
    );
    // A stopping trigger answers parked Watch calls empty; a vanished one fails them.
    expect(ended).toEqual({ response: expect.objectContaining({ pipelineTriggerLabel: "" }) });
    const error = await failure(channel.watch(new AbortController().signal));
    expect(error?.code).toBe(status.UNAVAILABLE);
  });

  test("an HTTP answer that is not gRPC maps to the gRPC code for its status", async () => {
    const channel = await http2Server((stream) => {
      stream.respond({ ":status": 404 }, { endStream: true });
    });
    const error = await failure(channel.watch(new AbortController().signal));
    expect(error).toMatchObject({ code: status.UNIMPLEMENTED });
  });

  test("a trailers-only error carries its code and percent-decoded message", async () => {
    const channel = await http2Server((stream) => {
      stream.respond(
        {
          ":status": 200,
          "content-type": "application/grpc",
          "grpc-status": "9",
          "grpc-message": "not%20now%3A%20busy",
        },
        { endStream: true },
      );
    });
    const error = await failure(channel.watch(new AbortController().signal));
    expect(error).toMatchObject({ code: status.FAILED_PRECONDITION, details: "not now: busy" });
  });

  test("a frame whose length disagrees with the body fails with INTERNAL, not a garbled event", async () => {
    const channel = await http2Server((stream) => {
      stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
      stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
      stream.end(Buffer.from([0, 0, 0, 0, 9, 1, 2]));
    });
    const error = await failure(channel.watch(new AbortController().signal));
    expect(error?.code).toBe(status.INTERNAL);
    expect(error?.details).toMatch(/frame says 9 bytes, body has 2/);
  });

  test("a stream reset by the server fails the call with UNAVAILABLE", async () => {
    const channel = await http2Server((stream) => {
      stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
    });
    const error = await failure(channel.watch(new AbortController().signal));
    expect(error?.code).toBe(status.UNAVAILABLE);
    expect(error?.details).toMatch(/NGHTTP2_INTERNAL_ERROR/);
  });

  test("a closed channel refuses new calls", async () => {
    const { trigger } = await triggerWithSubscription();
    const channel = channelTo(trigger);
    channel.close();
    expect((await failure(channel.watch(new AbortController().signal)))?.code).toBe(status.CANCELLED);
  });
});
