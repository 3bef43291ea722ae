// v0.5 extensions beside v0.4 triggers: a test extension written only to the v0.5 contract (fixtures/test-extension.ts)
// installed on a real server (process engine, TLS, auth on), subscribed, starting runs through Gofer.StartRun.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type Event,
  GoferService,
  Initiator_Type,
  type Run,
  StartRunRequest,
  StartRunResponse,
  StartRunResponseV05,
  Trigger_TriggerState,
} from "@gofer/proto";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { intervalPipeline, startTestServer, type TestServer } from "./server-harness.js";

const EXTENSION = fileURLToPath(new URL("./fixtures/test-extension.ts", import.meta.url));
const WAIT = { timeout: 30_000, interval: 50 };

let s: TestServer;
let adminToken: string;

beforeAll(async () => {
  // Auth on: extension tokens are real tokens, and the test checks that a revoked one is refused.
  const open = await startTestServer({
    set: {
      "development.bypass_auth": false,
      "triggers.image_map": JSON.stringify({
        "test/extension:latest": [process.execPath, "--import", "tsx", EXTENSION],
      }),
    },
  });
  adminToken = (await open.api.bootstrapToken({})).token;
  await open.stop();
  s = await startTestServer({
    dir: open.dir,
    token: adminToken,
    set: {
      "development.bypass_auth": false,
      "triggers.image_map": JSON.stringify({
        "test/extension:latest": [process.execPath, "--import", "tsx", EXTENSION],
      }),
    },
  });
}, 60_000);
afterAll(() => s?.destroy());

async function runsOf(pipelineId: string): Promise<Run[]> {
  return (await s.api.listRuns({ offset: 0n, limit: 0n, namespaceId: "default", pipelineId })).runs;
}

async function events(): Promise<Array<{ kind: string; details: Record<string, unknown> }>> {
  const metadata = new grpc.Metadata();
  metadata.set("authorization", `Bearer ${adminToken}`);
  const out: Event[] = [];
  for await (const item of s.client.listEvents({ reverse: false, follow: false }, metadata))
    out.push(item.event as Event);
  return out.map((e) => ({ kind: e.kind, details: JSON.parse(e.details) as Record<string, unknown> }));
}

/** Calls StartRun with raw bytes both ways, so the test sees exactly which Run layout came back. */
function rawStartRun(token: string, request: StartRunRequest): Promise<Buffer> {
  const raw = {
    startRun: {
      ...GoferService.startRun,
      requestSerialize: (r: StartRunRequest) => Buffer.from(StartRunRequest.encode(r).finish()),
      responseDeserialize: (b: Buffer) => b,
    },
  };
  const RawClient = grpc.makeGenericClientConstructor(raw, "proto.Gofer");
  const client = new RawClient(
    s.server.address,
    grpc.credentials.createSsl(Buffer.from(s.server.apiCertPem ?? ""), null, null, {
      checkServerIdentity: () => undefined,
    }),
    { "grpc.ssl_target_name_override": "localhost" },
  ) as unknown as grpc.Client & {
    startRun(r: StartRunRequest, m: grpc.Metadata, cb: (e: grpc.ServiceError | null, b: Buffer) => void): void;
  };
  const metadata = new grpc.Metadata();
  metadata.set("authorization", `Bearer ${token}`);
  return new Promise((resolve, reject) =>
    client.startRun(request, metadata, (error, bytes) => {
      client.close();
      if (error) reject(error);
      else resolve(bytes);
    }),
  );
}

describe("v0.5 extensions through the shim", () => {
  const tokenFile = () => join(s.dir, "extension-token");

  test("an extension installs, subscribes and starts runs recorded as its events", async () => {
    await s.api.installTrigger({
      name: "ticker",
      image: "test/extension:latest",
      user: "",
      pass: "",
      variables: { GOFER_INSTALL_KIND: "extension", MIN_DURATION: "0.1", TOKEN_FILE: tokenFile() },
    });
    const trigger = (await s.api.getTrigger({ name: "ticker" })).trigger;
    expect(trigger?.state).toBe(Trigger_TriggerState.RUNNING);
    expect(trigger?.kind).toBe("extension");

    const pipeline = intervalPipeline("ext_driven");
    pipeline.triggers = [{ name: "ticker", label: "tick", settings: { EVERY: "0.25" } }];
    await s.api.createPipeline({ namespaceId: "default", pipelineConfig: pipeline });
    await vi.waitFor(async () => expect((await runsOf("ext_driven")).length).toBeGreaterThanOrEqual(2), WAIT);
    expect((await runsOf("ext_driven"))[0]?.trigger).toEqual({ name: "ticker", label: "tick" });

    const fired = (await events()).find((e) => e.kind === "FIRED_TRIGGER_EVENT" && e.details.name === "ticker");
    expect(fired?.details).toMatchObject({
      namespace_id: "default",
      pipeline_id: "ext_driven",
      label: "tick",
      result: { details: "Triggered due to the passage of time", state: "SUCCESS" },
    });
  });

  test("an extension's token may start runs only for pipelines that subscribe to it, and nothing else", async () => {
    const token = readFileSync(tokenFile(), "utf8");
    await s.api.createPipeline({
      namespaceId: "default",
      pipelineConfig: { ...intervalPipeline("other"), triggers: [] },
    });
    await expect(
      rawStartRun(token, {
        namespaceId: "default",
        pipelineId: "other",
        variables: {},
        initiator: { type: Initiator_Type.EXTENSION, name: "ticker (tick)", reason: "test" },
      }),
    ).rejects.toMatchObject({ code: grpc.status.PERMISSION_DENIED });

    const metadata = new grpc.Metadata();
    metadata.set("authorization", `Bearer ${token}`);
    await expect(
      new Promise((resolve, reject) =>
        s.client.listTriggers({}, metadata, (error, response) => (error ? reject(error) : resolve(response))),
      ),
    ).rejects.toMatchObject({ code: grpc.status.PERMISSION_DENIED });
  });

  test("StartRun answers a v0.4 caller with the v0.4 Run and a v0.5 caller with the v0.5 Run", async () => {
    const v04 = StartRunResponse.decode(
      await rawStartRun(adminToken, {
        namespaceId: "default",
        pipelineId: "other",
        variables: {},
        initiator: undefined,
      }),
    );
    expect(v04.run?.pipeline).toBe("other");
    expect(v04.run?.trigger).toEqual({ name: "manual", label: "api" });
    const firstId = v04.run?.id as bigint;

    const v05 = StartRunResponseV05.decode(
      await rawStartRun(adminToken, {
        namespaceId: "default",
        pipelineId: "other",
        variables: {},
        initiator: { type: Initiator_Type.HUMAN, name: "someone", reason: "because" },
      }),
    );
    expect(v05.run?.id).toBe(firstId + 1n); // id at field 4, as v0.5 reads it
    expect(v05.run?.initiator).toEqual({ type: Initiator_Type.HUMAN, name: "someone", reason: "because" });
  });

  test("a subscribed trigger and a subscribed extension fire the same pipeline side by side", async () => {
    await s.api.installTrigger({
      name: "interval",
      image: "gofer-trigger-interval:latest",
      user: "",
      pass: "",
      variables: { MIN_DURATION: "100ms" },
    });
    const pipeline = intervalPipeline("both");
    pipeline.triggers = [
      { name: "interval", label: "every", settings: { EVERY: "250ms" } },
      { name: "ticker", label: "tick", settings: { EVERY: "0.25" } },
    ];
    await s.api.createPipeline({ namespaceId: "default", pipelineConfig: pipeline });
    await vi.waitFor(async () => {
      const sources = new Set((await runsOf("both")).map((r) => r.trigger?.name));
      expect(sources).toEqual(new Set(["interval", "ticker"]));
    }, WAIT);
  });

  test("an extension that crashes on its install config is a clear install error, and nothing stays installed", async () => {
    const error = await s.api
      .installTrigger({
        name: "broken",
        image: "test/extension:latest",
        user: "",
        pass: "",
        variables: { GOFER_INSTALL_KIND: "extension", MIN_DURATION: "soon" },
      })
      .then(
        () => undefined,
        (e: { code: number; details: string }) => e,
      );
    expect(error?.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(error?.details).toMatch(
      /^could not start trigger "broken" from image "test\/extension:latest": extension exited with code 2 before it answered Info; its last output: .*panic: invalid min duration "soon"/,
    );
    await expect(s.api.getTrigger({ name: "broken" })).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
  });

  test("after uninstall the extension's token is refused", async () => {
    const token = readFileSync(tokenFile(), "utf8");
    await s.api.uninstallTrigger({ name: "ticker" });
    await expect(
      rawStartRun(token, {
        namespaceId: "default",
        pipelineId: "ext_driven",
        variables: {},
        initiator: { type: Initiator_Type.EXTENSION, name: "ticker (tick)", reason: "late" },
      }),
    ).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
  });
});
