// `gofer pipeline create|update|get|list|enable|disable|delete` against a real server, from every kind of source:
// a YAML file, the TypeScript example (the builder SDK), and Go and Rust programs — the latter two through fake `go`
// and `cargo` on PATH that build a "program" printing the recorded stdout of an original Go pipeline program.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type CliTestServer, EXAMPLES_DIR, parseJson, startCliTestServer, VECTORS_DIR } from "./cli-harness.js";

interface PipelineJson {
  id: string;
  name: string;
  state: string;
  custom_tasks: Record<string, { image: string; depends_on: Record<string, string>; command: string[] }>;
  triggers: Record<string, { name: string; settings: Record<string, string> }>;
}

let t: CliTestServer;
let fakeBin: string;

beforeAll(async () => {
  t = await startCliTestServer();
  await t.server.triggers.install({
    name: "interval",
    image: "gofer-trigger-interval:latest",
    variables: { MIN_DURATION: "1s" },
  });
  fakeBin = join(t.dir, "fake-bin");
  mkdirSync(fakeBin);
  // go build -v -o OUT: records its arguments and directory, then writes OUT, a "binary" printing the vector.
  writeFileSync(
    join(fakeBin, "go"),
    [
      "#!/bin/sh",
      'echo "go $*" >> "$FAKE_LOG"; echo "cwd $(pwd)" >> "$FAKE_LOG"',
      'out=""; prev=""; for a in "$@"; do [ "$prev" = "-o" ] && out="$a"; prev="$a"; done',
      'echo "example.com/simple" >&2',
      'printf \'#!/bin/sh\\necho "ran in $(pwd)" >> "%s"\\ncat "%s"\\n\' "$FAKE_LOG" "$FAKE_VECTOR" > "$out"',
      'chmod +x "$out"',
    ].join("\n"),
  );
  // cargo run --manifest-path=…: compiles (on stderr) and runs (prints the vector), as cargo does.
  writeFileSync(
    join(fakeBin, "cargo"),
    ["#!/bin/sh", 'echo "cargo $*" >> "$FAKE_LOG"', 'echo "   Compiling dag v0.1.0" >&2', 'cat "$FAKE_VECTOR"'].join(
      "\n",
    ),
  );
  chmodSync(join(fakeBin, "go"), 0o755);
  chmodSync(join(fakeBin, "cargo"), 0o755);
});

afterAll(async () => {
  await t?.destroy();
});

function withFakeTools(vector: string, log: string) {
  return {
    env: {
      PATH: `${fakeBin}:${process.env.PATH}`,
      FAKE_LOG: log,
      FAKE_VECTOR: join(VECTORS_DIR, `pipelineconfig-${vector}.bin`),
    },
  };
}

test("a YAML pipeline file creates the pipeline, with trigger settings in the SDKs' form", async () => {
  const created = await t.gofer(["pipeline", "create", join(EXAMPLES_DIR, "yaml-pipeline", "pipeline.yaml")]);
  expect(created.stderr).toBe("");
  expect(created.code).toBe(0);
  expect(created.stdout).toContain('Created pipeline [yaml_hello] "Hello from YAML"');

  const pipeline = parseJson<PipelineJson>(await t.gofer(["pipeline", "get", "yaml_hello", "--format", "json"]));
  expect(pipeline).toMatchObject({ id: "yaml_hello", name: "Hello from YAML", state: "ACTIVE" });
  expect(pipeline.custom_tasks.goodbye).toMatchObject({
    depends_on: { greet: "SUCCESS" },
    command: ["echo", "goodbye"],
  });
  expect(pipeline.triggers.every_minute).toEqual({
    name: "interval",
    label: "every_minute",
    settings: { GOFER_PLUGIN_PARAM_EVERY: "1m" },
  });
});

test("the TypeScript example, built with the pipeline SDK, creates its pipeline", async () => {
  const created = await t.gofer(["pipeline", "create", join(EXAMPLES_DIR, "typescript-pipeline"), "--format", "json"]);
  expect(created.code).toBe(0);
  const pipeline = parseJson<PipelineJson>(created);
  expect(pipeline.id).toBe("ts_hello");
  expect(Object.keys(pipeline.custom_tasks).sort()).toEqual(["build", "report", "test"]);
  expect(pipeline.custom_tasks.report?.depends_on).toEqual({ build: "ANY" });
  expect(pipeline.triggers.hourly?.settings).toEqual({ GOFER_PLUGIN_PARAM_EVERY: "1h" });
});

test("a Go program is built with `go build`, run in its directory, and its stdout read as a PipelineConfig", async () => {
  const program = join(t.dir, "go-simple");
  mkdirSync(program);
  writeFileSync(join(program, "go.mod"), "module example.com/simple\n\ngo 1.19\n");
  const log = join(t.dir, "go.log");
  const created = await t.gofer(["pipeline", "create", program, "--format", "json"], withFakeTools("simple", log));
  expect(created.stderr).toBe("");
  expect(parseJson<PipelineJson>(created)).toMatchObject({
    id: "simple",
    name: "Simple Pipeline",
    custom_tasks: { simple_task: { image: "ubuntu:latest", command: ["echo", "Hello from Gofer!"] } },
  });
  const calls = readFileSync(log, "utf8").trim().split("\n");
  expect(calls[0]).toMatch(/^go build -v -o \/.+\/gofer_go_pipeline$/);
  expect(calls.slice(1)).toEqual([`cwd ${program}`, `ran in ${program}`]);
});

test("a Rust program is run with `cargo run --manifest-path`, as v0.4.1", async () => {
  const program = join(t.dir, "rust-dag");
  mkdirSync(program);
  writeFileSync(join(program, "Cargo.toml"), '[package]\nname = "dag"\n');
  const log = join(t.dir, "cargo.log");
  const created = await t.gofer(["pipeline", "create", program, "--format", "json"], withFakeTools("dag", log));
  expect(parseJson<PipelineJson>(created).custom_tasks.depends_on_second?.depends_on).toEqual({
    depends_on_first: "ANY",
  });
  expect(readFileSync(log, "utf8")).toBe(`cargo run --manifest-path=${join(program, "Cargo.toml")}\n`);
});

test("a program that fails shows the end of its output and how to run it", async () => {
  const program = join(t.dir, "ts-broken");
  mkdirSync(program);
  writeFileSync(join(program, "package.json"), '{"type": "module"}');
  writeFileSync(join(program, "pipeline.ts"), 'console.error("config step 1");\nthrow new Error("no tasks given");\n');
  const result = await t.gofer(["pipeline", "create", program]);
  expect(result.code).toBe(1);
  expect(result.stderr).toContain("gofer: the pipeline program failed (exit code 1)");
  expect(result.stderr).toContain("  config step 1\n");
  expect(result.stderr).toContain("Error: no tasks given");
  expect(result.stderr).toContain(`hint: see all of it with: cd ${program} && node --import tsx pipeline.ts`);
});

test("an invalid pipeline file is refused before anything is sent, naming every problem and where", async () => {
  const file = join(t.dir, "bad.yaml");
  writeFileSync(
    file,
    [
      "id: bad id",
      "tasks:",
      "  - id: build",
      "    dependsOn: {test: SUCCESS}",
      "  - id: build",
      "    image: alpine",
      "    depends_on: {nope: MAYBE}",
    ].join("\n"),
  );
  const result = await t.gofer(["pipeline", "create", file]);
  expect(result.code).toBe(2);
  expect(result.stderr).toBe(
    [
      `gofer: ${file} is not a valid pipeline:`,
      `  ${file}:1:5: id "bad id" must be 1-70 letters, digits, "_" or "-"`,
      `  ${file}:3:5: tasks[0]: image is required`,
      `  ${file}:4:5: tasks[0]: unknown field "dependsOn"; did you mean "depends_on"?`,
      `  ${file}:5:9: tasks[1]: duplicate task id "build"`,
      `  ${file}:7:17: tasks[1]: depends_on unknown task "nope"`,
      `  ${file}:7:17: tasks[1]: depends_on "nope" has status "MAYBE"; use ANY, SUCCESS or FAILURE`,
      "hint: the fields are those of PipelineConfig; see examples/yaml-pipeline/pipeline.yaml",
      "",
    ].join("\n"),
  );
});

test("list, disable, enable and delete", async () => {
  const listed = parseJson<PipelineJson[]>(await t.gofer(["pipeline", "list", "--format", "json"]));
  expect(listed.map((p) => p.id).sort()).toEqual(["dag", "simple", "ts_hello", "yaml_hello"]);

  expect((await t.gofer(["pipeline", "disable", "dag"])).stdout).toContain('Pipeline "dag" disabled');
  expect(parseJson<PipelineJson>(await t.gofer(["pipeline", "get", "dag", "--format", "json"])).state).toBe("DISABLED");
  expect((await t.gofer(["pipelines", "enable", "dag"])).code).toBe(0);
  expect((await t.gofer(["pipeline", "delete", "dag"])).code).toBe(0);
  expect((await t.gofer(["pipeline", "get", "dag"])).code).toBe(4);
});

test("update replaces the pipeline's config and leaves an active pipeline active", async () => {
  const file = join(t.dir, "update.yaml");
  const original = readFileSync(join(EXAMPLES_DIR, "yaml-pipeline", "pipeline.yaml"), "utf8");
  writeFileSync(file, original.replace("name: Hello from YAML", "name: Hello again"));
  const updated = await t.gofer(["pipeline", "update", "yaml_hello", file, "--format", "json"]);
  expect(updated.stderr).toBe("");
  expect(parseJson<PipelineJson>(updated)).toMatchObject({ name: "Hello again", state: "ACTIVE" });

  const wrongId = await t.gofer(["pipeline", "update", "ts_hello", file]);
  expect(wrongId.code).toBe(2);
  expect(wrongId.stderr).toContain(`gofer: ${file} describes pipeline "yaml_hello", not "ts_hello"`);
});
