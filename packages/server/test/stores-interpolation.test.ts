// Interpolation rules (spec §2.5, §9.3) on real stores in a temp directory.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeClock } from "@gofer/kernel";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Interpolator, parseReference } from "../src/stores/interpolation.js";
import { ObjectStore } from "../src/stores/object-store.js";
import { SecretStore } from "../src/stores/secret-store.js";

let dir: string;
let secrets: SecretStore;
let objects: ObjectStore;
let interpolator: Interpolator;
const scope = { namespaceId: "default", pipelineId: "app", runId: 3 };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "gofer-interp-"));
  const clock = new FakeClock();
  secrets = SecretStore.open(join(dir, "s.db"), "k".repeat(32), clock);
  objects = ObjectStore.open(join(dir, "o.db"), { pipelineObjectLimit: 10, maxObjectBytes: 1024 }, clock);
  interpolator = new Interpolator(secrets, objects);
  secrets.putPipelineSecret(scope, "db", "pipeline-value", false);
  secrets.putGlobalSecret("ci", "global-value", false);
  objects.putPipelineObject(scope, "build", Buffer.from("b-1"), false);
  objects.putRunObject(scope, "out", Buffer.from("r-3"), false);
});
afterAll(() => {
  secrets.close();
  objects.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("references", () => {
  it.each([
    ["pipeline_secret{{db}}", { kind: "pipeline_secret", key: "db" }],
    ["  global_secret{{ ci }}  ", { kind: "global_secret", key: "ci" }],
    ["pipeline_object{{build}}", { kind: "pipeline_object", key: "build" }],
    ["run_object{{out}}", { kind: "run_object", key: "out" }],
    // Single braces, as the v0.4.1 Rust SDK writes them (never resolved by the original).
    ["pipeline_secret{db}", { kind: "pipeline_secret", key: "db" }],
    // Not references: embedded, spaced before the braces, the docs' secret{{…}}, unbalanced braces.
    ["x pipeline_secret{{db}}", undefined],
    ["pipeline_secret {{db}}", undefined],
    ["secret{{db}}", undefined],
    ["pipeline_secret{{db}", undefined],
    ["pipeline_secret{db}}", undefined],
    ["PIPELINE_SECRET{{db}}", undefined],
  ])("%j → %j", (value, expected) => {
    expect(parseReference(value)).toEqual(expected);
  });
});

describe("resolving", () => {
  it("resolves each kind and passes plain values through untouched", () => {
    expect(
      interpolator.resolveVariables(
        [
          { key: "A", value: "pipeline_secret{{db}}", source: "PIPELINE_CONFIG" },
          { key: "B", value: "pipeline_object{{build}}", source: "PIPELINE_CONFIG" },
          { key: "C", value: "run_object{{out}}", source: "RUN_OPTIONS" },
          { key: "D", value: "  plain  ", source: "PIPELINE_CONFIG" },
          { key: "E", value: "global_secret{{ci}}", source: "TRIGGER" },
          { key: "F", value: "global_secret{{ci}}", source: "SYSTEM" },
        ],
        scope,
      ),
    ).toEqual({ A: "pipeline-value", B: "b-1", C: "r-3", D: "  plain  ", E: "global-value", F: "global-value" });
  });

  it("refuses global secrets from pipeline configuration and run options", () => {
    for (const source of ["PIPELINE_CONFIG", "RUN_OPTIONS"] as const) {
      expect(() => interpolator.resolve("global_secret{{ci}}", source, scope, 'variable "X"')).toThrow(
        'variable "X": global_secret{{ci}}: global secrets may only be used in server-side configuration (trigger and common task install config), not in pipeline configuration or run options',
      );
    }
  });

  it("leaves run_object references alone where there is no run (trigger settings)", () => {
    expect(interpolator.resolveSettings({ X: "run_object{{out}}" }, scope)).toEqual({ X: "run_object{{out}}" });
  });

  it("names the key and the place of a miss, and resolves only within the pipeline", () => {
    expect(() =>
      interpolator.resolveSettings({ TOKEN: "pipeline_secret{{db}}" }, { namespaceId: "default", pipelineId: "other" }),
    ).toThrow('setting "TOKEN": pipeline_secret{{db}}: pipeline "default/other" has no secret "db"');
    expect(() =>
      interpolator.resolve("run_object{{out}}", "PIPELINE_CONFIG", { ...scope, runId: 4 }, 'variable "R"'),
    ).toThrow('variable "R": run_object{{out}}: run 4 of "default/app" has no object "out"');
    expect(() => interpolator.resolve("global_secret{{nope}}", "SYSTEM", scope, 'config "FILTER"')).toThrow(
      'config "FILTER": global_secret{{nope}}: there is no global secret "nope"',
    );
  });
});
