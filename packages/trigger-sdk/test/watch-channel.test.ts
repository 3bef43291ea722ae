// The lean Watch client against a real trigger server (TLS, Bearer) and against HTTP/2 servers that misbehave.
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { generateCertificate, WatchChannel } from "@gofer/kernel";
import { TriggerWatchResponse } from "@gofer/proto";
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
  const counts = { opened: 0 };
  server.on("session", (s) => {
    counts.opened += 1;
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
  return { channel, sessions: counts };
}

/** A gRPC answer: the framed message, then grpc-status 0 in the trailers. */
function answer(framed: Buffer) {
  return (stream: http2.ServerHttp2Stream) => {
    stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
    stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
    stream.end(framed);
  };
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
    const { channel } = await http2Server((stream) => {
      stream.respond({ ":status": 404 }, { endStream: true });
    });
    const error = await failure(channel.watch(new AbortController().signal));
    expect(error).toMatchObject({ code: status.UNIMPLEMENTED });
  });

  test("a trailers-only error carries its code and percent-decoded message", async () => {
    const { channel } = await http2Server((stream) => {
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
    const { channel } = await http2Server((stream) => {
      stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
      stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
      stream.end(Buffer.from([0, 0, 0, 0, 9, 1, 2]));
    });
    const error = await failure(channel.watch(new AbortController().signal));
    expect(error?.code).toBe(status.INTERNAL);
    expect(error?.details).toMatch(/frame says 9 bytes, body has 2/);
  });

  test("a stream reset by the server fails the call with UNAVAILABLE", async () => {
    const { channel } = await http2Server((stream) => {
      stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
    });
    const error = await failure(channel.watch(new AbortController().signal));
    expect(error?.code).toBe(status.UNAVAILABLE);
    expect(error?.details).toMatch(/reset by the trigger \(HTTP\/2 INTERNAL_ERROR, code 2\)/);
  });

  test("responses past the connection's receive window keep coming (the client gives credit back)", async () => {
    // 20 × 1 MB on one connection: more than the 16 MB connection window the client opens with.
    const big = TriggerWatchResponse.encode({
      details: "big",
      result: 1,
      metadata: { BLOB: "x".repeat(1 << 20) },
      pipelineTriggerLabel: "lab",
      namespaceId: "ns",
      pipelineId: "pl",
    }).finish();
    const framed = Buffer.alloc(5 + big.length);
    framed.writeUInt32BE(big.length, 1);
    framed.set(big, 5);
    const { channel, sessions } = await http2Server(answer(framed));
    const signal = new AbortController().signal;
    for (let n = 0; n < 20; n++) expect((await channel.watch(signal)).metadata.BLOB?.length).toBe(1 << 20);
    expect(sessions.opened).toBe(1);
  });

  test("a header block split over CONTINUATION frames is read whole", async () => {
    const long = "m".repeat(40_000); // over the 16 KB frame size: HEADERS + 2 CONTINUATIONs
    const { channel } = await http2Server((stream) => {
      stream.respond(
        { ":status": 200, "content-type": "application/grpc", "grpc-status": "9", "grpc-message": long },
        {
          endStream: true,
        },
      );
    });
    const error = await failure(channel.watch(new AbortController().signal));
    expect(error?.code).toBe(status.FAILED_PRECONDITION);
    expect(error?.details).toBe(long);
  });

  test("after GOAWAY the open call still completes and the next one dials a new connection; PINGs are answered", async () => {
    let calls = 0;
    const pinged: Array<Promise<void>> = [];
    const ok = answer(Buffer.alloc(5));
    const { channel, sessions } = await http2Server((stream) => {
      calls += 1;
      if (calls === 1) stream.session?.goaway(http2.constants.NGHTTP2_NO_ERROR);
      else {
        pinged.push(
          new Promise((resolve, reject) => stream.session?.ping((error) => (error ? reject(error) : resolve()))),
        );
      }
      ok(stream);
    });
    const signal = new AbortController().signal;
    expect(await channel.watch(signal)).toMatchObject({ details: "" });
    expect(await channel.watch(signal)).toMatchObject({ details: "" });
    expect(sessions.opened).toBe(2);
    await expect(Promise.all(pinged)).resolves.toHaveLength(1);
  });

  test("a closed channel refuses new calls", async () => {
    const { trigger } = await triggerWithSubscription();
    const channel = channelTo(trigger);
    channel.close();
    expect((await failure(channel.watch(new AbortController().signal)))?.code).toBe(status.CANCELLED);
  });
});
