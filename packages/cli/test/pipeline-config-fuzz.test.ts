// Property-based fuzzing of the CLI's pipeline config decoders (YAML, JSON, protobuf): random and mutated input
// either decodes to a config that can be sent, or fails with a CliError (a message and an exit code), never a crash.
// Seeded (GOFER_FUZZ_SEED replays a failure; the seed is in the failure message) and bounded in runs and time.
import { PipelineConfig } from "@gofer/proto";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { stringify } from "yaml";
import { CliError } from "../src/exit-codes.js";
import { decodePipelineConfig } from "../src/pipeline-config/load-pipeline-config.js";
import { parsePipelineYaml } from "../src/pipeline-config/load-yaml.js";

function fuzzSeed(): number {
  const fromEnv = process.env.GOFER_FUZZ_SEED;
  if (fromEnv === undefined || fromEnv === "") return 20_260_402;
  const seed = Number(fromEnv);
  if (!Number.isSafeInteger(seed)) throw new Error(`GOFER_FUZZ_SEED=${JSON.stringify(fromEnv)} is not an integer`);
  return seed;
}

function assertProperty<Ts>(property: fc.IProperty<Ts>, numRuns: number): void {
  const seed = fuzzSeed();
  try {
    fc.assert(property, { seed, numRuns, interruptAfterTimeLimit: 10_000, markInterruptAsFailure: false });
  } catch (error) {
    throw new Error(`fuzz failure with seed ${seed} (replay: GOFER_FUZZ_SEED=${seed}):\n${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** Decoded and sendable, or refused with a CliError that has a message; anything else fails the property. */
function decodesOrRefuses(decode: () => PipelineConfig): "decoded" | "refused" {
  let config: PipelineConfig;
  try {
    config = decode();
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).message.length).toBeGreaterThan(0);
    expect([1, 2]).toContain((error as CliError).exitCode);
    return "refused";
  }
  // What the CLI sends next: it must encode.
  expect(() => PipelineConfig.encode(config).finish()).not.toThrow();
  return "decoded";
}

const VALID_YAML = `id: hello
name: Hello
description: Says hello
parallelism: 1
tasks:
  - id: greet
    image: alpine:3
    variables: {GREETING: hi}
    command: ["echo $GREETING"]
  - id: after
    image: alpine:3
    depends_on: {greet: SUCCESS}
    registry_auth: {user: u, pass: p}
triggers:
  - name: interval
    label: every_minute
    settings: {every: 1m}
`;

const mutation = fc.oneof(
  fc.record({ kind: fc.constant("replace" as const), at: fc.nat(), text: fc.string({ maxLength: 4 }) }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), text: fc.string({ maxLength: 6 }) }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), count: fc.integer({ min: 1, max: 6 }) }),
);

function mutate(text: string, mutations: readonly Mutation[]): string {
  let out = text;
  for (const m of mutations) {
    const at = m.at % (out.length + 1);
    if (m.kind === "replace") out = out.slice(0, at) + m.text + out.slice(at + m.text.length);
    if (m.kind === "insert") out = out.slice(0, at) + m.text + out.slice(at);
    if (m.kind === "delete") out = out.slice(0, at) + out.slice(at + m.count);
  }
  return out;
}
type Mutation =
  | { kind: "replace"; at: number; text: string }
  | { kind: "insert"; at: number; text: string }
  | { kind: "delete"; at: number; count: number };

// Values of every JSON/YAML type in the places the schema names, to reach each field's checks.
const anyValue = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constantFrom("", "hello", "PATH=/x", "ANY", "SUCCESS", "a\0b", "x\ny"),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.string({ maxLength: 6 }), fc.integer()), { maxKeys: 3 }),
);
const taskShape = fc.dictionary(
  fc.constantFrom(
    "id",
    "description",
    "image",
    "depends_on",
    "variables",
    "entrypoint",
    "command",
    "registry_auth",
    "x",
  ),
  anyValue,
);
const pipelineShape = fc.record(
  {
    id: anyValue,
    name: anyValue,
    description: anyValue,
    parallelism: anyValue,
    tasks: fc.oneof(fc.array(taskShape, { maxLength: 4 }), anyValue),
    triggers: fc.oneof(
      fc.array(fc.dictionary(fc.constantFrom("name", "label", "settings"), anyValue), { maxLength: 2 }),
      anyValue,
    ),
  },
  { requiredKeys: [] },
);

describe("YAML and JSON pipeline files", () => {
  test("the valid example decodes (the properties below start from it)", () => {
    expect(parsePipelineYaml(VALID_YAML, "hello.yaml").id).toBe("hello");
  });

  test("any text decodes or is refused with a CliError", () => {
    assertProperty(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: "binary", maxLength: 200 })), (text) => {
        decodesOrRefuses(() => parsePipelineYaml(text, "random.yaml"));
      }),
      500,
    );
  });

  test("mutations of a valid file decode or are refused with a CliError", () => {
    const outcomes = new Set<string>();
    assertProperty(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (mutations) => {
        outcomes.add(decodesOrRefuses(() => parsePipelineYaml(mutate(VALID_YAML, mutations), "mutated.yaml")));
      }),
      500,
    );
    expect([...outcomes].sort()).toEqual(["decoded", "refused"]);
  });

  test("documents of the right shape with values of any type, as YAML and as JSON", () => {
    assertProperty(
      fc.property(pipelineShape, fc.boolean(), (doc, asJson) => {
        const text = asJson ? JSON.stringify(doc) : stringify(doc);
        decodesOrRefuses(() => parsePipelineYaml(text, asJson ? "shaped.json" : "shaped.yaml"));
      }),
      500,
    );
  });
});

describe("protobuf PipelineConfig bytes", () => {
  const valid = PipelineConfig.encode(parsePipelineYaml(VALID_YAML, "hello.yaml")).finish();

  test("random bytes decode or are refused with a CliError", () => {
    assertProperty(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        decodesOrRefuses(() => decodePipelineConfig(bytes, "random.pb"));
      }),
      500,
    );
  });

  test("mutated bytes of a valid config decode or are refused with a CliError", () => {
    assertProperty(
      fc.property(
        fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }), cut: fc.boolean() }), {
          minLength: 1,
          maxLength: 4,
        }),
        (edits) => {
          let bytes = Uint8Array.from(valid);
          for (const edit of edits) {
            const at = edit.at % Math.max(1, bytes.length);
            if (edit.cut) bytes = bytes.subarray(0, at);
            else if (bytes.length > 0) bytes[at] = edit.value;
          }
          decodesOrRefuses(() => decodePipelineConfig(bytes, "mutated.pb"));
        },
      ),
      500,
    );
  });
});
