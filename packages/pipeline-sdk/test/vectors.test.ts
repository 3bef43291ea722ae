// The builder reproduces, byte for byte, the stdout of the original Go pipeline programs (spec vectors README §1):
// each vector's .json is replayed through the builder calls a TypeScript author would write.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import {
  commonTask,
  customTask,
  PARAM_PREFIX,
  type Pipeline,
  pipeline,
  type RequiredParentStatus,
  trigger,
} from "../src/index.js";

// The golden vectors from the original Go code, kept in the repository (testdata/vectors/README.md).
const vectorsDir = fileURLToPath(new URL("../../../testdata/vectors", import.meta.url));

interface VectorTask {
  custom_task?: {
    id: string;
    description?: string;
    image: string;
    registry_auth?: { user: string; pass: string };
    depends_on?: Record<string, RequiredParentStatus>;
    variables?: Record<string, string>;
    entrypoint?: string[];
    command?: string[];
  };
  common_task?: {
    name: string;
    label: string;
    description?: string;
    depends_on?: Record<string, RequiredParentStatus>;
    settings?: Record<string, string>;
  };
}

interface VectorPipeline {
  id: string;
  name: string;
  description?: string;
  parallelism?: string;
  tasks?: VectorTask[];
  triggers?: Array<{ name: string; label: string; settings?: Record<string, string> }>;
}

/** Settings as an author writes them: `every`, not GOFER_PLUGIN_PARAM_EVERY (the builder adds the prefix). */
function authored(settings: Record<string, string> = {}): Record<string, string> {
  return Object.fromEntries(Object.entries(settings).map(([k, v]) => [k.slice(PARAM_PREFIX.length).toLowerCase(), v]));
}

function replay(vector: VectorPipeline): Pipeline {
  const p = pipeline(vector.id, vector.name).description(vector.description ?? "");
  if (vector.parallelism) p.parallelism(BigInt(vector.parallelism));
  for (const task of vector.tasks ?? []) {
    if (task.custom_task) {
      const t = task.custom_task;
      const built = customTask(t.id, t.image).description(t.description ?? "");
      if (t.registry_auth) built.registryAuth(t.registry_auth.user, t.registry_auth.pass);
      for (const [parent, status] of Object.entries(t.depends_on ?? {})) built.dependsOn(parent, status);
      built.variables(t.variables ?? {});
      if (t.entrypoint) built.entrypoint(...t.entrypoint);
      if (t.command) built.command(...t.command);
      p.tasks(built);
    } else if (task.common_task) {
      const t = task.common_task;
      p.tasks(
        commonTask(t.name, t.label)
          .description(t.description ?? "")
          .dependsOnMany(t.depends_on ?? {})
          .settings(authored(t.settings)),
      );
    }
  }
  for (const t of vector.triggers ?? []) p.triggers(trigger(t.name, t.label).settings(authored(t.settings)));
  return p;
}

describe("the builder writes the bytes the Go SDK wrote", () => {
  for (const stem of ["dag", "commonTask", "simple", "trigger-workaround", "full"]) {
    test(`pipelineconfig-${stem}`, () => {
      const vector = JSON.parse(readFileSync(join(vectorsDir, `pipelineconfig-${stem}.json`), "utf8"));
      const expected = readFileSync(join(vectorsDir, `pipelineconfig-${stem}.bin`));
      expect(Buffer.from(replay(vector).toBytes()).toString("hex")).toBe(expected.toString("hex"));
    });
  }
});

test("the simple example, written by hand, matches its vector", () => {
  const vector = JSON.parse(readFileSync(join(vectorsDir, "pipelineconfig-simple.json"), "utf8"));
  const bytes = pipeline("simple", "Simple Pipeline")
    .description(vector.description)
    .tasks(
      customTask("simple_task", "ubuntu:latest")
        .description("This task simply prints our hello-world message and exits!")
        .command("echo", "Hello from Gofer!"),
    )
    .toBytes();
  expect(Buffer.from(bytes)).toEqual(readFileSync(join(vectorsDir, "pipelineconfig-simple.bin")));
});
