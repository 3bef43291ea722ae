// What the original v0.4.1 CLI and trigger images send, and what they make of our answers: the token kind the old CLI
// always sends (UNKNOWN), the ToggleEventIngress answer (the new *ignore* flag), and a third-party trigger that reads
// only bare setting keys while the pipeline SDKs write GOFER_PLUGIN_PARAM_<KEY> (spec §2.5 [REC]).
import {
  CreateTokenResponse,
  type Event,
  type PipelineConfig,
  ToggleEventIngressResponse,
  Token_Kind,
} from "@gofer/proto";
import type * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { intervalPipeline, startTestServer, type TestServer } from "./server-harness.js";

const WAIT = { timeout: 20_000, interval: 100 };
let s: TestServer;

beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s?.destroy());

/** A unary call with hand-made request bytes, as another implementation's client would send them. */
function rawCall<T>(method: string, request: Buffer, decode: (bytes: Buffer) => T): Promise<T> {
  const client = s.client as unknown as grpc.Client;
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      `/proto.Gofer/${method}`,
      (bytes: Buffer) => bytes,
      decode,
      request,
      (error: grpc.ServiceError | null, response?: T) => (error ? reject(error) : resolve(response as T)),
    );
  });
}

/** A length-delimited protobuf field (tag + length + bytes); every value here is shorter than 128 bytes. */
function field(number: number, value: string | Buffer): Buffer {
  const bytes = typeof value === "string" ? Buffer.from(value) : value;
  return Buffer.concat([Buffer.from([(number << 3) | 2, bytes.length]), bytes]);
}

async function events(): Promise<Array<{ kind: string; details: Record<string, unknown> }>> {
  const out: Event[] = [];
  for await (const item of s.client.listEvents({ reverse: false, follow: false })) out.push(item.event as Event);
  return out.map((e) => ({ kind: e.kind, details: JSON.parse(e.details) as Record<string, unknown> }));
}

describe("the v0.4.1 CLI", () => {
  test("`service tokens create client|management` (kind UNKNOWN on the wire) gets a client token, as from v0.4.1", async () => {
    // What v0.4.1 sends for `tokens create management -n default -m owner:ci`: no field 1 (kind 0 is the proto3
    // default), namespaces "default", metadata owner → ci, expires "24h".
    const request = Buffer.concat([
      field(2, "default"),
      field(3, Buffer.concat([field(1, "owner"), field(2, "ci")])),
      field(4, "24h"),
    ]);
    const response = await rawCall("CreateToken", request, (bytes) => CreateTokenResponse.decode(bytes));
    expect(response.token).toMatch(/^[0-9a-f]{64}$/);
    expect(response.details?.kind).toBe(Token_Kind.CLIENT);
    expect(response.details?.namespaces).toEqual(["default"]);
    expect(response.details?.metadata).toEqual({ owner: "ci" });
    expect((await s.api.getToken({ token: response.token })).details?.kind).toBe(Token_Kind.CLIENT);
  });

  test("`service toggle-event-ingress` reads true as 'now ignoring events', and the server does ignore them", async () => {
    await s.api.installTrigger({
      name: "legacy",
      image: "test/legacy-interval:latest",
      user: "",
      pass: "",
      variables: { MIN_DURATION: "1s" },
    });
    const pipeline = intervalPipeline("toggled");
    pipeline.triggers = [{ name: "legacy", label: "tick", settings: { EVERY: "1s" } }];
    await s.api.createPipeline({ namespaceId: "default", pipelineConfig: pipeline });

    const toggle = () => rawCall("ToggleEventIngress", Buffer.alloc(0), (b) => ToggleEventIngressResponse.decode(b));
    expect(await toggle()).toEqual({ value: true });
    await vi.waitFor(async () => {
      const skipped = (await events()).filter(
        (e) =>
          e.kind === "RESOLVED_TRIGGER_EVENT" &&
          e.details.pipeline_id === "toggled" &&
          (e.details.result as { state: string }).state === "SKIPPED",
      );
      expect(skipped.length).toBeGreaterThanOrEqual(1);
    }, WAIT);
    expect(await toggle()).toEqual({ value: false });
    await s.api.deletePipeline({ namespaceId: "default", id: "toggled" });
    await s.api.uninstallTrigger({ name: "legacy" });
  });
});

describe("third-party triggers", () => {
  test("a trigger that reads only EVERY gets the setting a pipeline SDK wrote as GOFER_PLUGIN_PARAM_EVERY", async () => {
    await s.api.installTrigger({
      name: "bare_keys",
      image: "test/legacy-interval:latest",
      user: "",
      pass: "",
      variables: { MIN_DURATION: "1s" },
    });
    const pipeline: PipelineConfig = intervalPipeline("sdk_written");
    pipeline.triggers = [{ name: "bare_keys", label: "tick", settings: { GOFER_PLUGIN_PARAM_EVERY: "1s" } }];
    const created = (await s.api.createPipeline({ namespaceId: "default", pipelineConfig: pipeline })).pipeline;
    // Stored as written; the trigger sees both spellings.
    expect(created?.triggers.tick?.settings).toEqual({ GOFER_PLUGIN_PARAM_EVERY: "1s" });
    await vi.waitFor(async () => {
      const runs = (await s.api.listRuns({ offset: 0n, limit: 0n, namespaceId: "default", pipelineId: "sdk_written" }))
        .runs;
      expect(runs[0]?.trigger).toEqual({ name: "bare_keys", label: "tick" });
    }, WAIT);
  });
});
