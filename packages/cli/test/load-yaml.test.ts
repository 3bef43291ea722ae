// Pipeline files (load-yaml.ts): what a valid file becomes, and how mistakes are reported.
import { CustomTaskConfig_RequiredParentStatus } from "@gofer/proto";
import { expect, test } from "vitest";
import type { CliError } from "../src/exit-codes.js";
import { parsePipelineYaml } from "../src/pipeline-config/load-yaml.js";

test("a valid file becomes the PipelineConfig a program would print", () => {
  const config = parsePipelineYaml(
    [
      "id: web",
      "parallelism: 2",
      "tasks:",
      "  - id: build",
      "    image: node:20",
      "    variables: {PORT: 8080, DEBUG: true}",
      "    command: [npm, run, build]",
      "  - id: deploy",
      "    image: alpine",
      "    depends_on: {build: success}",
      "    registry_auth: {user: me, pass: secret}",
      "triggers:",
      "  - {name: cron, label: nightly, settings: {expression: '0 2 * * *', GOFER_PLUGIN_PARAM_TZ: UTC}}",
    ].join("\n"),
    "web.yaml",
  );
  expect(config).toMatchObject({ id: "web", name: "web", description: "", parallelism: 2n });
  expect(config.tasks.map((t) => t.task?.value)).toMatchObject([
    {
      id: "build",
      image: "node:20",
      variables: { PORT: "8080", DEBUG: "true" },
      command: ["npm", "run", "build"],
      entrypoint: [],
    },
    {
      id: "deploy",
      dependsOn: { build: CustomTaskConfig_RequiredParentStatus.SUCCESS },
      registryAuth: { user: "me", pass: "secret" },
    },
  ]);
  expect(config.triggers).toEqual([
    {
      name: "cron",
      label: "nightly",
      settings: { GOFER_PLUGIN_PARAM_EXPRESSION: "0 2 * * *", GOFER_PLUGIN_PARAM_TZ: "UTC" },
    },
  ]);
});

test("JSON is read by the same rules", () => {
  const config = parsePipelineYaml('{"id": "j", "name": "J", "tasks": [{"id": "t", "image": "alpine"}]}', "j.json");
  expect(config).toMatchObject({ id: "j", name: "J", tasks: [{ task: { $case: "customTask", value: { id: "t" } } }] });
});

test("syntax errors give the parser's position", () => {
  expect(() => parsePipelineYaml("id: x\ntasks: [\n", "broken.yaml")).toThrow(/^broken\.yaml: .*line 3, column 1/s);
});

test("type and reference mistakes are all listed, with positions", () => {
  let error: CliError | undefined;
  try {
    parsePipelineYaml(
      [
        "id: x",
        "parallelism: -1",
        "tasks:",
        "  - id: a",
        "    image: alpine",
        "    command: echo hi",
        "    depends_on: {a: ANY, b: ANY}",
        "triggers: {name: cron}",
      ].join("\n"),
      "x.yaml",
    );
  } catch (e) {
    error = e as CliError;
  }
  expect(error?.exitCode).toBe(2);
  expect(error?.message).toBe(
    [
      "x.yaml is not a valid pipeline:",
      "  x.yaml:2:14: parallelism must be a whole number, 0 or more (0 = the server's limit); got -1",
      '  x.yaml:6:14: tasks[0].command: must be a list of strings, e.g. ["echo", "hello"]',
      '  x.yaml:7:17: tasks[0]: depends_on "a": a task cannot depend on itself',
      '  x.yaml:7:17: tasks[0]: depends_on unknown task "b"',
      "  x.yaml:8:11: triggers: must be a list of {name, label, settings}",
    ].join("\n"),
  );
});

test("a file without tasks", () => {
  expect(() => parsePipelineYaml("id: x\n", "x.yaml")).toThrow("x.yaml:1:1: tasks: must list at least one task");
});
