// Namespace isolation, walked over every method of proto.Gofer as the service definition lists them: a client token
// for one namespace calls each method aimed at another namespace's data and must get none of it back. Methods added
// to the definition later are walked too, so a new read path cannot be forgotten.
import { GoferService, promiseClient } from "@gofer/proto";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { startTestServer, type TestServer } from "./server-harness.js";

const OWN = "own-ns";
const FOREIGN = "foreign-ns";
// Strings that only the foreign namespace's data contains.
const FOREIGN_MARKERS = ["FOREIGN-DESCRIPTION", "FOREIGN-RUNVAR-VALUE", "FOREIGN-LOG-LINE", FOREIGN];
const WAIT = { timeout: 30_000, interval: 100 };

let s: TestServer;
let adminToken: string;
let clientToken: string;
let foreignRunId: bigint;
let foreignEventIds: bigint[];

const bearer = (token: string) => {
  const metadata = new grpc.Metadata();
  metadata.set("authorization", `Bearer ${token}`);
  return metadata;
};

function pipelineConfig(id: string, description: string, echo: string) {
  return {
    id,
    name: id,
    description,
    parallelism: 0n,
    tasks: [
      {
        task: {
          $case: "customTask" as const,
          value: {
            id: "hello",
            description: "",
            image: "gofer-task-test:latest",
            registryAuth: undefined,
            dependsOn: {},
            variables: { GREETING: "hi" },
            entrypoint: [],
            command: ["sh", "-c", `echo ${echo}`],
          },
        },
      },
    ],
    triggers: [],
  };
}

async function listEvents(token: string): Promise<Array<{ id: bigint; kind: string; details: string }>> {
  const out: Array<{ id: bigint; kind: string; details: string }> = [];
  for await (const item of s.client.listEvents({ reverse: false, follow: false }, bearer(token))) {
    out.push(item.event);
  }
  return out;
}

beforeAll(async () => {
  s = await startTestServer({ set: { "development.bypass_auth": false } });
  adminToken = (await s.api.bootstrapToken({})).token;
  const admin = promiseClient(s.client, { metadata: bearer(adminToken) });
  for (const id of [OWN, FOREIGN]) await admin.createNamespace({ id, name: id, description: "" });
  await admin.createPipeline({
    namespaceId: FOREIGN,
    pipelineConfig: pipelineConfig("pb", "FOREIGN-DESCRIPTION", "FOREIGN-LOG-LINE"),
  });
  await admin.createPipeline({ namespaceId: OWN, pipelineConfig: pipelineConfig("pa", "own description", "own") });
  const started = await admin.startRun({
    namespaceId: FOREIGN,
    pipelineId: "pb",
    variables: { RUNVAR: "FOREIGN-RUNVAR-VALUE" },
    initiator: undefined,
  });
  foreignRunId = started.run?.id ?? 0n;
  await vi.waitFor(async () => {
    const run = await admin.getRun({ namespaceId: FOREIGN, pipelineId: "pb", id: foreignRunId });
    expect(run.run?.ended).not.toBe(0n);
  }, WAIT);
  foreignEventIds = (await listEvents(adminToken)).filter((e) => e.details.includes(FOREIGN)).map((e) => e.id);
  const issued = await admin.createToken({ kind: 2, namespaces: [OWN], metadata: {}, expires: "24h" });
  clientToken = issued.token;
}, 60_000);
afterAll(() => s?.destroy());

/** Requests for one method: its fields filled with the foreign namespace's ids in every plausible combination. */
function requestsFor(method: keyof typeof GoferService): unknown[] {
  const empty = GoferService[method].requestDeserialize(Buffer.alloc(0)) as Record<string, unknown>;
  const choices: Record<string, unknown[]> = {};
  for (const [field, value] of Object.entries(empty)) {
    if (field === "namespaceId" || field === "namespace") choices[field] = [FOREIGN];
    else if (field === "pipelineId") choices[field] = ["pb"];
    else if (field === "runId") choices[field] = [foreignRunId];
    else if (field === "id" && typeof value === "bigint") choices[field] = [foreignRunId, ...foreignEventIds];
    else if (field === "id" && typeof value === "string") choices[field] = ["pb", FOREIGN, "hello"];
    else if (field === "reverse") choices[field] = [false, true];
    else if (field === "follow")
      choices[field] = [false]; // following is walked in its own test below
    else choices[field] = [value];
  }
  let requests: Array<Record<string, unknown>> = [{}];
  for (const [field, values] of Object.entries(choices)) {
    requests = requests.flatMap((r) => values.map((v) => ({ ...r, [field]: v })));
  }
  return requests;
}

type Outcome = { ok: true; data: string } | { ok: false; code: number; details: string };

const json = (value: unknown) => JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v));

function call(method: keyof typeof GoferService, request: unknown): Promise<Outcome> {
  const definition = GoferService[method];
  const metadata = bearer(clientToken);
  const options = { deadline: new Date(Date.now() + 30_000) };
  if (!definition.responseStream) {
    return new Promise((resolve) =>
      s.client.makeUnaryRequest(
        definition.path,
        definition.requestSerialize as (value: unknown) => Buffer,
        definition.responseDeserialize as (value: Buffer) => unknown,
        request,
        metadata,
        options,
        (error, response) =>
          resolve(error ? { ok: false, code: error.code, details: error.details } : { ok: true, data: json(response) }),
      ),
    );
  }
  return new Promise((resolve) => {
    const items: unknown[] = [];
    const stream = s.client.makeServerStreamRequest(
      definition.path,
      definition.requestSerialize as (value: unknown) => Buffer,
      definition.responseDeserialize as (value: Buffer) => unknown,
      request,
      metadata,
      options,
    );
    stream.on("data", (item) => items.push(item));
    stream.on("error", (error: grpc.ServiceError) => resolve({ ok: false, code: error.code, details: error.details }));
    stream.on("end", () => resolve({ ok: true, data: json(items) }));
  });
}

describe("a client token for one namespace gets nothing of another", () => {
  const methods = Object.keys(GoferService) as Array<keyof typeof GoferService>;

  test("the walk covers every method of the service definition", () => {
    // 65 in v0.4 (spec §1.3); the walk below iterates this same list.
    expect(methods.length).toBeGreaterThanOrEqual(65);
  });

  test.each(methods)("%s returns no data of the other namespace", async (method) => {
    const requests = requestsFor(method);
    for (const request of requests) {
      const namesNamespace = json(request).includes(FOREIGN);
      const outcome = await call(method, request);
      if (outcome.ok) {
        for (const marker of FOREIGN_MARKERS) expect(outcome.data, `${method} ${json(request)}`).not.toContain(marker);
        // A request that names the foreign namespace must be refused, not answered with empty data or acted upon.
        expect(namesNamespace, `${method} ${json(request)} answered OK`).toBe(false);
      } else {
        expect(outcome.details.length, `${method}: a status with a message`).toBeGreaterThan(0);
        for (const marker of FOREIGN_MARKERS.slice(0, 3)) expect(outcome.details).not.toContain(marker);
      }
    }
  });

  test("the other namespace's data is still there afterwards", async () => {
    const admin = promiseClient(s.client, { metadata: bearer(adminToken) });
    const pipeline = await admin.getPipeline({ namespaceId: FOREIGN, id: "pb" });
    expect(pipeline.pipeline?.description).toBe("FOREIGN-DESCRIPTION");
    const run = await admin.getRun({ namespaceId: FOREIGN, pipelineId: "pb", id: foreignRunId });
    expect(run.run?.variables).toContainEqual(
      expect.objectContaining({ key: "RUNVAR", value: "FOREIGN-RUNVAR-VALUE" }),
    );
  });

  test("the client still sees its own namespace: its pipelines, its namespace, its events", async () => {
    const client = promiseClient(s.client, { metadata: bearer(clientToken) });
    expect(
      (await client.listPipelines({ namespaceId: OWN, offset: 0n, limit: 0n })).pipelines.map((p) => p.id),
    ).toEqual(["pa"]);
    expect((await client.listNamespaces({ offset: 0n, limit: 0n })).namespaces.map((n) => n.id)).toEqual([OWN]);
    const events = await listEvents(clientToken);
    expect(events.some((e) => e.kind === "CREATED_PIPELINE" && e.details.includes('"pa"'))).toBe(true);
    expect(events.some((e) => e.details.includes(FOREIGN))).toBe(false);
  });

  test("following the event log shows new events of its own namespace and none of the other's", async () => {
    const admin = promiseClient(s.client, { metadata: bearer(adminToken) });
    const stream = s.client.listEvents({ reverse: false, follow: true }, bearer(clientToken));
    const seen: string[] = [];
    const untilOwn = (async () => {
      for await (const item of stream) {
        seen.push(item.event.details);
        if (item.event.kind === "CREATED_PIPELINE" && item.event.details.includes('"late-own"')) return;
      }
    })();
    // The foreign event is stored first, so a leak would arrive before the awaited one.
    await vi.waitFor(() => expect(seen.length).toBeGreaterThan(0), WAIT);
    await admin.createPipeline({ namespaceId: FOREIGN, pipelineConfig: pipelineConfig("late-foreign", "", "x") });
    await admin.createPipeline({ namespaceId: OWN, pipelineConfig: pipelineConfig("late-own", "", "x") });
    await untilOwn;
    stream.cancel();
    expect(seen.filter((d) => d.includes(FOREIGN))).toEqual([]);
  });
});

describe("run variables are not shown in events", () => {
  test("a manual run's variables appear in its event by name, with the value hidden, for every caller", async () => {
    const admin = promiseClient(s.client, { metadata: bearer(adminToken) });
    await admin.startRun({
      namespaceId: OWN,
      pipelineId: "pa",
      variables: { RUNVAR: "topsecret" },
      initiator: undefined,
    });
    for (const token of [adminToken, clientToken]) {
      const resolved = (await listEvents(token)).filter(
        (e) => e.kind === "RESOLVED_TRIGGER_EVENT" && e.details.includes(OWN),
      );
      expect(resolved.map((e) => JSON.parse(e.details).metadata)).toContainEqual({ RUNVAR: "(hidden)" });
      expect(json(resolved)).not.toContain("topsecret");
    }
  });

  test("GetEvent answers another namespace's event as not found", async () => {
    const client = promiseClient(s.client, { metadata: bearer(clientToken) });
    const id = foreignEventIds[0] as bigint;
    await expect(client.getEvent({ id })).rejects.toMatchObject({
      code: grpc.status.NOT_FOUND,
      details: `event ${id} not found`,
    });
  });
});
