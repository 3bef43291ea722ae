// Property-based fuzzing of the API's request validation over real gRPC: random and mutated pipeline configs and
// requests never crash the server, never leave half a pipeline stored, and always answer a status with a message.
// Seeded and bounded (fuzz-seed.ts): GOFER_FUZZ_SEED replays a failure.
import { join } from "node:path";
import { CreatePipelineRequest, GoferService, PipelineConfig } from "@gofer/proto";
import * as grpc from "@grpc/grpc-js";
import BetterSqlite3 from "better-sqlite3";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { InvalidArgumentError } from "../src/errors.js";
import { checkEnvMap, checkImage, checkName, INPUT_LIMITS } from "../src/validation/input-limits.js";
import { assertProperty } from "./fuzz-seed.js";
import { startTestServer, type TestServer } from "./server-harness.js";

const NAMESPACE = "fuzz";
let s: TestServer;
let sqlite: BetterSqlite3.Database;
let pipelineTables: string[];

beforeAll(async () => {
  s = await startTestServer();
  await s.api.createNamespace({ id: NAMESPACE, name: NAMESPACE, description: "" });
  sqlite = new BetterSqlite3(join(s.dir, "gofer.db"), { readonly: true });
  const tables = sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>;
  pipelineTables = tables
    .map((t) => t.name)
    .filter((name) =>
      (sqlite.prepare(`PRAGMA table_info(${JSON.stringify(name)})`).all() as Array<{ name: string }>).some(
        (c) => c.name === "pipeline_id",
      ),
    );
}, 30_000);
afterAll(async () => {
  sqlite?.close();
  await s?.destroy();
});

/** Rows of every table keyed by pipeline: none may remain from a refused request. */
function storedPipelineRows(): number {
  return pipelineTables.reduce(
    (sum, table) =>
      sum + (sqlite.prepare(`SELECT count(*) AS n FROM ${JSON.stringify(table)}`).get() as { n: number }).n,
    0,
  );
}

type Outcome = { ok: true; response: unknown } | { ok: false; code: number; details: string };

/** Calls a method with raw request bytes, as any client on the wire could. */
function callRaw(path: string, bytes: Uint8Array, decode: (b: Buffer) => unknown): Promise<Outcome> {
  return new Promise((resolve) =>
    s.client.makeUnaryRequest(
      path,
      (b: Uint8Array) => Buffer.from(b),
      decode,
      bytes,
      new grpc.Metadata(),
      { deadline: new Date(Date.now() + 30_000) },
      (error, response) =>
        resolve(error ? { ok: false, code: error.code, details: error.details } : { ok: true, response }),
    ),
  );
}

/** A status with a sentence, and never an unexpected failure inside a handler (status.ts answers those this way). */
function expectCleanStatus(outcome: Outcome, what: string): void {
  if (outcome.ok) return;
  expect(outcome.details.length, `${what}: status ${outcome.code} without a message`).toBeGreaterThan(0);
  expect(outcome.details, `${what}: a handler failed unexpectedly`).not.toMatch(/^internal error \(incident/);
}

// Strings that reach every rule: plain, empty, env-like, with "=", control characters, whitespace, long, any unicode.
const text = fc.oneof(
  fc.constantFrom("", "hello", "A", "PATH=/evil:", "A\0B", "x\ny", "ubuntu:latest", "a b", "ANY", "_x1", "1x"),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.string({ minLength: 4000, maxLength: 5000 }),
);
const smallMap = fc.dictionary(text, text, { maxKeys: 4 });
const parentStatus = fc.dictionary(text, fc.integer({ min: -1, max: 4 }), { maxKeys: 3 });
const taskEntry = fc.oneof(
  fc.record({
    task: fc.record({
      $case: fc.constant("customTask" as const),
      value: fc.record({
        id: text,
        description: text,
        image: text,
        registryAuth: fc.option(fc.record({ user: text, pass: text }), { nil: undefined }),
        dependsOn: parentStatus,
        variables: smallMap,
        entrypoint: fc.array(text, { maxLength: 3 }),
        command: fc.array(text, { maxLength: 3 }),
      }),
    }),
  }),
  fc.record({
    task: fc.record({
      $case: fc.constant("commonTask" as const),
      value: fc.record({
        name: text,
        label: text,
        description: text,
        dependsOn: parentStatus,
        settings: smallMap,
      }),
    }),
  }),
  fc.constant({ task: undefined }),
);
const pipelineConfig = fc.record({
  id: fc.oneof(text, fc.constantFrom("p1", "p2")),
  name: text,
  description: text,
  parallelism: fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n),
  tasks: fc.array(taskEntry, { maxLength: 6 }),
  triggers: fc.array(fc.record({ name: text, label: text, settings: smallMap }), { maxLength: 2 }),
});

// Configs the server must accept: identifiers, POSIX names, one-line images, and depends_on only on earlier tasks.
const identifier = fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/);
const envName = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,10}$/);
const value = fc.string({ maxLength: 20 }).filter((v) => !v.includes("\0"));
const image = fc.stringMatching(/^[a-z0-9][a-z0-9./:-]{0,30}$/);
const validConfig = fc
  .record({
    id: identifier,
    name: fc.stringMatching(/^[\w .-]{0,20}$/),
    description: value,
    parallelism: fc.bigInt(0n, 10n),
    taskIds: fc.uniqueArray(identifier, { minLength: 1, maxLength: 6 }),
  })
  .chain(({ taskIds, ...rest }) =>
    fc.record({
      id: fc.constant(rest.id),
      name: fc.constant(rest.name),
      description: fc.constant(rest.description),
      parallelism: fc.constant(rest.parallelism),
      tasks: fc.tuple(
        ...taskIds.map((id, index) =>
          fc.record({
            task: fc.record({
              $case: fc.constant("customTask" as const),
              value: fc.record({
                id: fc.constant(id),
                description: value,
                image,
                registryAuth: fc.constant(undefined),
                dependsOn: fc
                  .subarray(taskIds.slice(0, index))
                  .chain((parents) =>
                    fc
                      .tuple(...parents.map(() => fc.integer({ min: 1, max: 3 })))
                      .map((statuses) => Object.fromEntries(parents.map((p, i) => [p, statuses[i] as number]))),
                  ),
                variables: fc.dictionary(envName, value, { maxKeys: 4 }),
                entrypoint: fc.array(value, { maxLength: 2 }),
                command: fc.array(value, { maxLength: 3 }),
              }),
            }),
          }),
        ),
      ),
      triggers: fc.constant([] as PipelineConfig["triggers"]),
    }),
  )
  .map((config) => PipelineConfig.fromPartial(config));

/** One field of a valid config replaced by a hostile value. */
const corruption = fc
  .record({
    field: fc.constantFrom("id", "name", "description", "image", "variable name", "variable value", "command"),
    value: text,
  })
  .map(({ field, value: hostile }) => ({
    field,
    apply(config: PipelineConfig): PipelineConfig {
      const copy = PipelineConfig.fromPartial(config);
      const first = copy.tasks[0]?.task;
      const task = first?.$case === "customTask" ? first.value : undefined;
      if (field === "id") copy.id = hostile;
      if (field === "name") copy.name = hostile;
      if (field === "description") copy.description = hostile;
      if (task && field === "image") task.image = hostile;
      if (task && field === "variable name") task.variables[hostile] = "v";
      if (task && field === "variable value") task.variables.FUZZ = hostile;
      if (task && field === "command") task.command = ["sh", "-c", hostile];
      return copy;
    },
  }));

const createPath = GoferService.createPipeline.path;
const decodeCreate = GoferService.createPipeline.responseDeserialize as (b: Buffer) => unknown;

/** After a request: stored whole (then removed for the next case) or not at all. */
async function expectWholeOrNothing(outcome: Outcome, config: PipelineConfig | undefined, namespaceId: string) {
  if (outcome.ok && config) {
    const stored = await s.api.getPipeline({ namespaceId, id: config.id });
    const p = stored.pipeline;
    expect(Object.keys(p?.customTasks ?? {}).length + Object.keys(p?.commonTasks ?? {}).length).toBe(
      config.tasks.length,
    );
    expect(Object.keys(p?.triggers ?? {}).length).toBe(config.triggers.length);
    await s.api.deletePipeline({ namespaceId, id: config.id });
  }
  expect(storedPipelineRows(), "rows left behind").toBe(0);
}

describe("pipeline configs", () => {
  test("random configs are stored whole or refused with a status naming the problem", async () => {
    const codes = new Map<string, number>();
    await assertProperty(
      fc.asyncProperty(pipelineConfig, async (config) => {
        const request = CreatePipelineRequest.encode({ namespaceId: NAMESPACE, pipelineConfig: config }).finish();
        const outcome = await callRaw(createPath, request, decodeCreate);
        const code = outcome.ok ? "OK" : (grpc.status[outcome.code] ?? String(outcome.code));
        codes.set(code, (codes.get(code) ?? 0) + 1);
        expectCleanStatus(outcome, "CreatePipeline");
        await expectWholeOrNothing(outcome, PipelineConfig.fromPartial(config), NAMESPACE);
      }),
      { numRuns: 300, timeLimitMs: 20_000 },
    );
    // Hostile fields everywhere: these are all refused (the next property covers accepted ones).
    expect([...codes.keys()]).toEqual(["INVALID_ARGUMENT"]);
  }, 60_000);

  test("valid configs are stored whole; the same with one field made hostile are stored whole or refused", async () => {
    const codes = new Map<string, number>();
    await assertProperty(
      fc.asyncProperty(validConfig, fc.option(corruption, { freq: 2 }), async (config, corrupt) => {
        const sent = corrupt ? corrupt.apply(config) : config;
        const request = CreatePipelineRequest.encode({ namespaceId: NAMESPACE, pipelineConfig: sent }).finish();
        const outcome = await callRaw(createPath, request, decodeCreate);
        const code = outcome.ok ? "OK" : (grpc.status[outcome.code] ?? String(outcome.code));
        codes.set(code, (codes.get(code) ?? 0) + 1);
        expectCleanStatus(outcome, "CreatePipeline");
        if (!corrupt) expect(outcome, "a valid config was refused").toMatchObject({ ok: true });
        await expectWholeOrNothing(outcome, PipelineConfig.fromPartial(sent), NAMESPACE);
      }),
      { numRuns: 200, timeLimitMs: 20_000 },
    );
    expect(codes.get("OK")).toBeGreaterThan(0);
    expect(codes.get("INVALID_ARGUMENT")).toBeGreaterThan(0);
  }, 60_000);

  test("mutated protobuf bytes of a valid request never crash the server or store half a pipeline", async () => {
    const valid = CreatePipelineRequest.encode({
      namespaceId: NAMESPACE,
      pipelineConfig: {
        id: "mutant",
        name: "mutant",
        description: "a pipeline to mutate",
        parallelism: 1n,
        tasks: [
          {
            task: {
              $case: "customTask",
              value: {
                id: "a",
                description: "",
                image: "gofer-task-test:latest",
                registryAuth: undefined,
                dependsOn: {},
                variables: { GREETING: "hi" },
                entrypoint: [],
                command: ["sh", "-c", "echo $GREETING"],
              },
            },
          },
          {
            task: {
              $case: "customTask",
              value: {
                id: "b",
                description: "",
                image: "gofer-task-test:latest",
                registryAuth: { user: "u", pass: "p" },
                dependsOn: { a: 2 },
                variables: {},
                entrypoint: [],
                command: [],
              },
            },
          },
        ],
        triggers: [],
      },
    }).finish();
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 8 }) }),
      fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
      fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
    );
    await assertProperty(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (mutations) => {
        let bytes = Buffer.from(valid);
        for (const m of mutations) {
          const at = m.at % (bytes.length + 1);
          if (m.kind === "flip" && bytes.length > 0) bytes[at % bytes.length] = m.value;
          if (m.kind === "insert") bytes = Buffer.concat([bytes.subarray(0, at), m.bytes, bytes.subarray(at)]);
          if (m.kind === "delete") bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + m.count)]);
          if (m.kind === "truncate") bytes = bytes.subarray(0, at);
        }
        const outcome = await callRaw(createPath, bytes, decodeCreate);
        expectCleanStatus(outcome, "CreatePipeline");
        let request: CreatePipelineRequest | undefined;
        try {
          request = CreatePipelineRequest.decode(bytes);
        } catch {
          request = undefined;
        }
        await expectWholeOrNothing(outcome, request?.pipelineConfig, request?.namespaceId || "default");
      }),
      { numRuns: 300, timeLimitMs: 20_000 },
    );
  }, 60_000);
});

describe("every method", () => {
  // InstallTrigger would start what it is given; its variables are fuzzed through the shared checks below.
  const methods = (Object.keys(GoferService) as Array<keyof typeof GoferService>).filter(
    (m) => m !== "installTrigger" && !GoferService[m].responseStream,
  );

  test("random request bytes to any unary method answer a status with a message, and the server stays up", async () => {
    await assertProperty(
      fc.asyncProperty(fc.constantFrom(...methods), fc.uint8Array({ maxLength: 64 }), async (method, bytes) => {
        const definition = GoferService[method];
        const outcome = await callRaw(definition.path, bytes, definition.responseDeserialize as (b: Buffer) => unknown);
        expectCleanStatus(outcome, method);
      }),
      { numRuns: 400, timeLimitMs: 20_000 },
    );
    expect((await s.api.getSystemInfo({})).semver).not.toBe("");
  }, 60_000);
});

describe("the shared checks", () => {
  test("an environment map passes exactly when every name is POSIX and every value is bounded and NUL-free", async () => {
    const posix = /^[A-Za-z_][A-Za-z0-9_]*$/;
    await assertProperty(
      fc.property(fc.dictionary(text, text, { maxKeys: 6 }), (map) => {
        const expected = Object.entries(map).every(
          ([k, v]) => posix.test(k) && !v.includes("\0") && Buffer.byteLength(v) <= INPUT_LIMITS.valueBytes,
        );
        let passed = true;
        try {
          checkEnvMap("variables", map);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidArgumentError);
          expect((error as Error).message).toMatch(/^variables/);
          passed = false;
        }
        expect(passed).toBe(expected);
      }),
      { numRuns: 500, timeLimitMs: 10_000 },
    );
  });

  test("names and images refuse control characters, and throw nothing but InvalidArgumentError", async () => {
    await assertProperty(
      fc.property(text, (value) => {
        for (const check of [checkName, checkImage]) {
          try {
            check("field", value);
            // biome-ignore lint/suspicious/noControlCharactersInRegex: what the checks refuse
            expect(value).not.toMatch(/[\u0000-\u001f\u007f]/);
          } catch (error) {
            expect(error).toBeInstanceOf(InvalidArgumentError);
          }
        }
      }),
      { numRuns: 500, timeLimitMs: 10_000 },
    );
  });
});
