// The trigger client's per-call options (what the conformance suite needs beyond Gofer's own calls): another or no
// authorization, a deadline on Watch, a signal that cancels a unary call. Against a bare grpc-js TriggerService that
// records what it was sent.
import { type TriggerServiceServer, TriggerServiceService, type TriggerWatchResponse } from "@gofer/proto";
import * as grpc from "@grpc/grpc-js";
import { afterEach, describe, expect, test } from "vitest";
import { FakeClock } from "../src/clock.js";
import { TriggerClient } from "../src/trigger-client.js";

interface Recorded {
  authorizations: Array<string | undefined>;
  parkedWatches: Array<grpc.ServerUnaryCall<unknown, TriggerWatchResponse>>;
  watchEnded: Array<"cancelled">;
  parkedInfo: Array<() => void>;
}

const closers: Array<() => unknown> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function startService(options: { parkInfo?: boolean } = {}) {
  const recorded: Recorded = { authorizations: [], parkedWatches: [], watchEnded: [], parkedInfo: [] };
  const record = (call: grpc.ServerUnaryCall<unknown, unknown>) =>
    recorded.authorizations.push(call.metadata.get("authorization")[0]?.toString());
  const implementation: Partial<TriggerServiceServer> = {
    info(call, callback) {
      record(call);
      const answer = () => callback(null, { name: "t", documentation: "", registered: [] });
      if (options.parkInfo) recorded.parkedInfo.push(answer);
      else answer();
    },
    watch(call) {
      record(call);
      recorded.parkedWatches.push(call);
      call.on("cancelled", () => recorded.watchEnded.push("cancelled"));
    },
  };
  const server = new grpc.Server();
  server.addService(TriggerServiceService, implementation as TriggerServiceServer);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  closers.push(() => server.forceShutdown());
  return { address: `127.0.0.1:${port}`, recorded };
}

/** Unary deadlines are absolute (grpc-js compares them with the wall clock): only Watch tests pass a FakeClock. */
function clientOf(address: string, clock?: FakeClock) {
  const client = new TriggerClient({ address, key: "k1", certPem: null, ...(clock ? { clock } : {}) });
  closers.push(() => client.close());
  return client;
}

async function failure(promise: Promise<unknown>) {
  return (await promise.then(
    () => undefined,
    (error: unknown) => error,
  )) as { code?: number } | undefined;
}

/** Resolves once the condition holds, checked on each turn of the event loop. */
async function until(condition: () => boolean, signal = AbortSignal.timeout(10_000)): Promise<void> {
  while (!condition()) {
    signal.throwIfAborted();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe("TriggerClient per-call options", () => {
  test("the key by default; another authorization, or none, when a call asks", async () => {
    const { address, recorded } = await startService();
    const client = clientOf(address);
    await client.info();
    await client.info({ authorization: "Basic k1" });
    await client.info({ authorization: null });
    const controller = new AbortController();
    const watches = [
      client.watch(controller.signal),
      client.watch(controller.signal, { authorization: "Bearer other" }),
      client.watch(controller.signal, { authorization: null }),
    ];
    await until(() => recorded.authorizations.length === 6);
    controller.abort();
    await Promise.allSettled(watches);
    expect(recorded.authorizations.slice(0, 3)).toEqual(["Bearer k1", "Basic k1", undefined]);
    expect(recorded.authorizations.slice(3).sort()).toEqual(["Bearer k1", "Bearer other", undefined].sort());
  });

  test("a Watch deadline rejects with DEADLINE_EXCEEDED when the clock passes it, and ends the call", async () => {
    const { address, recorded } = await startService();
    const clock = new FakeClock();
    const client = clientOf(address, clock);
    const watch = failure(client.watch(new AbortController().signal, { timeoutMs: 5_000 }));
    await until(() => recorded.parkedWatches.length === 1);
    await clock.waitForSleepers(1);
    await clock.advance(4_999);
    expect(recorded.watchEnded).toEqual([]);
    await clock.advance(1);
    expect((await watch)?.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    await until(() => recorded.watchEnded.length === 1);
  });

  test("a Watch without a deadline arms no timer", async () => {
    const { address, recorded } = await startService();
    const clock = new FakeClock();
    const client = clientOf(address, clock);
    const controller = new AbortController();
    const watch = failure(client.watch(controller.signal));
    await until(() => recorded.parkedWatches.length === 1);
    expect(clock.pendingSleeps).toBe(0);
    controller.abort();
    expect((await watch)?.code).toBe(grpc.status.CANCELLED);
  });

  test("aborting a unary call's signal cancels it; an aborted signal stops it before it starts", async () => {
    const { address, recorded } = await startService({ parkInfo: true });
    const client = clientOf(address);
    const controller = new AbortController();
    const info = failure(client.info({ signal: controller.signal }));
    await until(() => recorded.parkedInfo.length === 1);
    controller.abort();
    expect((await info)?.code).toBe(grpc.status.CANCELLED);
    expect((await failure(client.info({ signal: controller.signal })))?.code).toBe(grpc.status.CANCELLED);
    expect(recorded.authorizations).toHaveLength(1);
  });
});
