// The shared pipeline-config rules: every problem found, each at its field path.
import { describe, expect, test } from "vitest";
import {
  type CheckablePipelineConfig,
  type CheckableTask,
  checkPipelineConfig,
  formatProblem,
  ID_RULE,
  isValidId,
} from "../src/check-pipeline-config.js";

function custom(id: string, dependsOn: Record<string, string | number> = {}, variables = {}, image = "alpine") {
  return { kind: "custom", id, image, dependsOn, variables } satisfies CheckableTask;
}

function config(patch: Partial<CheckablePipelineConfig> = {}): CheckablePipelineConfig {
  return { id: "p", parallelism: 0n, tasks: [custom("a")], triggers: [], ...patch };
}

describe("the id pattern", () => {
  test.each([
    ["a", true],
    ["A_b-9", true],
    ["x".repeat(70), true],
    ["", false],
    ["x".repeat(71), false],
    ["a b", false],
    ["a.b", false],
    ["é", false],
  ])("%j → %s", (value, valid) => {
    expect(isValidId(value)).toBe(valid);
  });
});

describe("checkPipelineConfig", () => {
  test("a valid config has no problems", () => {
    const common: CheckableTask = { kind: "common", name: "debug", label: "b", dependsOn: { a: 1 }, settings: {} };
    const triggers = [{ name: "interval", label: "every", settings: { EVERY: "1m" } }];
    expect(checkPipelineConfig(config({ parallelism: 3, tasks: [custom("a"), common], triggers }))).toEqual([]);
  });

  test("pipeline fields", () => {
    expect(checkPipelineConfig(config({ id: "a b", parallelism: -1n }))).toEqual([
      { path: "id", message: `id "a b" ${ID_RULE}` },
      {
        path: "parallelism",
        message: "parallelism must be a whole number, 0 or more (0 = the server's limit); got -1",
      },
    ]);
  });

  test("task ids, images, names and the unset oneof, all at once", () => {
    const tasks: CheckableTask[] = [
      custom("a", {}, {}, " "),
      custom("a"),
      { kind: "common", name: "", label: "bad label", dependsOn: {}, settings: {} },
      { kind: "empty" },
    ];
    expect(checkPipelineConfig(config({ tasks }))).toEqual([
      { path: "tasks[0].image", message: "image is required" },
      { path: "tasks[1].id", message: 'duplicate task id "a"' },
      { path: "tasks[2].label", message: `label "bad label" ${ID_RULE}` },
      { path: "tasks[2].name", message: "common task name is required" },
      { path: "tasks[3]", message: "sets neither custom_task nor common_task" },
    ]);
  });

  test("dependencies: unknown, itself, a status by name or by number, and a cycle", () => {
    const tasks = [
      custom("a", { c: "SUCCESS", ghost: 2 }),
      custom("b", { a: 1, b: "ANY" }),
      custom("c", { b: "MAYBE", a: 0 }),
    ];
    expect(checkPipelineConfig(config({ tasks }))).toEqual([
      { path: "tasks[0].depends_on.ghost", message: 'depends_on unknown task "ghost"' },
      { path: "tasks[1].depends_on.b", message: 'depends_on "b": a task cannot depend on itself' },
      { path: "tasks[2].depends_on.b", message: 'depends_on "b" has status "MAYBE"; use ANY, SUCCESS or FAILURE' },
      { path: "tasks[2].depends_on.a", message: 'depends_on "a" has status 0; use ANY, SUCCESS or FAILURE' },
      { path: "tasks", message: "tasks depend on each other in a cycle: a → c → b → a" },
    ]);
  });

  test("global secrets only in server-side config", () => {
    const secret = "global_secret{{ci_token}}";
    const tasks: CheckableTask[] = [
      custom("a", {}, { TOKEN: secret, OTHER: "pipeline_secret{{x}}" }),
      { kind: "common", name: "debug", label: "b", dependsOn: {}, settings: { GOFER_PLUGIN_PARAM_T: secret } },
    ];
    const triggers = [{ name: "interval", label: "every", settings: { EVERY: secret } }];
    expect(checkPipelineConfig(config({ tasks, triggers })).map((p) => p.path)).toEqual([
      "tasks[0].variables.TOKEN",
      "tasks[1].settings.GOFER_PLUGIN_PARAM_T",
      "triggers[0].settings.EVERY",
    ]);
  });

  test("trigger names and labels", () => {
    const triggers = [
      { name: "interval", label: "every", settings: {} },
      { name: " ", label: "every", settings: {} },
      { name: "cron", label: "", settings: {} },
    ];
    expect(checkPipelineConfig(config({ triggers }))).toEqual([
      { path: "triggers[1].name", message: "trigger name is required" },
      { path: "triggers[1].label", message: 'duplicate trigger label "every"' },
      { path: "triggers[2].label", message: `label "" ${ID_RULE}` },
    ]);
  });
});

describe("formatProblem", () => {
  test("names the pipeline, and the task or trigger by its id or label, else by its place", () => {
    const c = config({
      tasks: [custom("build"), custom("")],
      triggers: [{ name: "cron", label: "nightly", settings: {} }],
    });
    expect(formatProblem(c, { path: "id", message: "m" })).toBe('pipeline "p": m');
    expect(formatProblem(c, { path: "tasks[0].image", message: "m" })).toBe('pipeline "p" task "build": m');
    expect(formatProblem(c, { path: "tasks[1].id", message: "m" })).toBe('pipeline "p" tasks[1]: m');
    expect(formatProblem(c, { path: "triggers[0].name", message: "m" })).toBe(
      'pipeline "p" trigger label "nightly": m',
    );
  });
});
