// One behaviour across the command tree: whatever is missing exits 4 with one wording (`<kind> <id> [of …] [in
// namespace "<ns>"] not found`), whatever is wrong with the user's input exits 2 (the server's INVALID_ARGUMENT,
// FAILED_PRECONDITION and ALREADY_EXISTS included), and a pipeline file's syntax error names the format read.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type CliTestServer, parseJson, startCliTestServer } from "./cli-harness.js";

let t: CliTestServer;

function pipelineFile(name: string, yaml: string): string {
  const file = join(t.dir, name);
  writeFileSync(file, yaml);
  return file;
}

const demoYaml = (every?: string, trigger = "interval") =>
  [
    "id: demo",
    "tasks:",
    "  - id: hello",
    "    image: busybox",
    '    command: ["echo hello"]',
    ...(every ? ["triggers:", `  - {name: ${trigger}, label: often, settings: {every: ${every}}}`] : []),
  ].join("\n");

beforeAll(async () => {
  t = await startCliTestServer();
  pipelineFile("nope.yaml", demoYaml().replace("id: demo", "id: nope"));
  await t.server.triggers.install({ name: "interval", image: "gofer-trigger-interval:latest", variables: {} });
  const created = await t.gofer(["pipeline", "create", pipelineFile("demo.yaml", demoYaml())]);
  expect(created.code, created.stderr).toBe(0);
  const started = await t.gofer(["run", "start", "demo"]);
  expect(started.code, started.stderr).toBe(0);
});

afterAll(async () => {
  await t?.destroy();
});

const PIPELINE_NOPE = 'pipeline "nope" in namespace "default" not found';

describe("everything missing exits 4, worded alike", () => {
  test.each([
    ["pipeline get", ["pipeline", "get", "nope"], PIPELINE_NOPE],
    ["pipeline enable", ["pipeline", "enable", "nope"], PIPELINE_NOPE],
    ["run list", ["run", "list", "nope"], PIPELINE_NOPE],
    ["run start", ["run", "start", "nope"], PIPELINE_NOPE],
    ["run cancel-all", ["run", "cancel-all", "nope"], PIPELINE_NOPE],
    ["run get", ["run", "get", "demo", "99"], 'run 99 of pipeline "demo" in namespace "default" not found'],
    ["run cancel", ["run", "cancel", "demo", "99"], 'run 99 of pipeline "demo" in namespace "default" not found'],
    ["taskrun list", ["taskrun", "list", "demo", "99"], 'run 99 of pipeline "demo" in namespace "default" not found'],
    [
      "taskrun get",
      ["taskrun", "get", "demo", "1", "nope"],
      'task run "nope" of run 1 of pipeline "demo" in namespace "default" not found',
    ],
    ["trigger get", ["trigger", "get", "nope"], 'trigger "nope" not found'],
    ["trigger enable", ["trigger", "enable", "nope"], 'trigger "nope" not found'],
    ["trigger uninstall", ["trigger", "uninstall", "nope"], 'trigger "nope" not found'],
    ["pipeline delete", ["pipeline", "delete", "nope"], PIPELINE_NOPE],
    ["pipeline update", ["pipeline", "update", "nope", "nope.yaml"], PIPELINE_NOPE],
    [
      "taskrun logs",
      ["taskrun", "logs", "demo", "99", "hello"],
      'run 99 of pipeline "demo" in namespace "default" not found',
    ],
    ["namespace delete", ["namespace", "delete", "nope"], 'namespace "nope" not found'],
    ["event get", ["event", "get", "999999"], "event 999999 not found"],
    ["event list --pipeline", ["event", "list", "--pipeline", "nope"], PIPELINE_NOPE],
    ["namespace get", ["namespace", "get", "nope"], 'namespace "nope" not found'],
    ["pipeline list in a missing namespace", ["pipeline", "list", "--namespace", "nope"], 'namespace "nope" not found'],
    [
      "pipeline create in a missing namespace",
      ["pipeline", "create", "demo.yaml", "--namespace", "nope"],
      'namespace "nope" not found',
    ],
  ])("%s", async (_name, args, message) => {
    const result = await t.gofer(args);
    expect(result).toEqual({ code: 4, stdout: "", stderr: `gofer: ${message}\n` });
    expect(result.stderr).toMatch(/^gofer: (namespace|pipeline|run|task run|trigger|event) \S+ .*not found\n$/);
  });
});

describe("the user's input is the problem: exit 2", () => {
  test("a pipeline subscribing to a trigger that is not installed (FAILED_PRECONDITION)", async () => {
    const file = pipelineFile("cron.yaml", demoYaml("1m", "cron").replace("id: demo", "id: nightly"));
    const result = await t.gofer(["pipeline", "create", file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('gofer: pipeline "nightly" trigger label "often": trigger "cron" is not installed\n');
  });

  test("a setting the trigger refuses (FAILED_PRECONDITION from its Subscribe)", async () => {
    const file = pipelineFile("bad-every.yaml", demoYaml("banana").replace("id: demo", "id: fruit"));
    const result = await t.gofer(["pipeline", "create", file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('setting EVERY = "banana" is not a duration');
  });

  test("a namespace that already exists (ALREADY_EXISTS)", async () => {
    const result = await t.gofer(["namespace", "create", "default", "Again"]);
    expect(result).toMatchObject({ code: 2, stderr: 'gofer: namespace "default" already exists\n' });
  });

  test.each([
    [["run", "list", "demo", "--limit", "ten"], 'gofer: --limit "ten": expected a whole number, 1 or more\n'],
    [["run", "list", "demo", "--limit", "0"], 'gofer: --limit "0": expected a whole number, 1 or more\n'],
    [["pipeline", "list", "--offset", "1.5"], 'gofer: --offset "1.5": expected a whole number, 0 or more\n'],
    [["event", "list", "--limit", "2.5"], 'gofer: --limit "2.5": expected a whole number, 1 or more\n'],
    [["event", "list", "--follow", "--reverse"], "gofer: --follow and --reverse cannot be used together\n"],
  ])("flags: %j", async (args, stderr) => {
    expect(await t.gofer(args)).toEqual({ code: 2, stdout: "", stderr });
  });

  test("an unknown --kind suggests the closest and lists the kinds", async () => {
    const result = await t.gofer(["event", "list", "--kind", "STARTED_RUNS"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^gofer: --kind "STARTED_RUNS" is not an event kind; did you mean STARTED_RUN \("Started run"\)\?\nhint: kinds: CREATED_NAMESPACE, /,
    );
  });
});

describe("a pipeline file's syntax error names the format read", () => {
  test("JSON, with line and column", async () => {
    const file = pipelineFile("broken.json", '{"id": "j",\n  "tasks": [{"id": "t", "image": "x",}]\n}\n');
    const result = await t.gofer(["pipeline", "create", file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      new RegExp(
        `^gofer: ${file.replaceAll(".", "\\.")}:2:38: not valid JSON: Expected double-quoted property name\\n`,
      ),
    );
    expect(result.stderr).not.toMatch(/YAML/);
  });

  test("a valid JSON file creates its pipeline", async () => {
    const file = pipelineFile("ok.json", '{"id": "from_json", "tasks": [{"id": "t", "image": "busybox"}]}');
    const result = await t.gofer(["pipeline", "create", file, "--format", "json"]);
    expect(result.code, result.stderr).toBe(0);
    expect(parseJson<{ id: string }>(result).id).toBe("from_json");
  });

  test("YAML", async () => {
    const file = pipelineFile("broken.yaml", "id: y\ntasks: [\n");
    const result = await t.gofer(["pipeline", "create", file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^gofer: ${file.replaceAll(".", "\\.")}: not valid YAML: `));
  });
});
