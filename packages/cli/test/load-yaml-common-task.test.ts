// Common tasks in pipeline files: `common_task: <name>` with settings instead of an image.
import { expect, test } from "vitest";
import type { CliError } from "../src/exit-codes.js";
import { parsePipelineYaml } from "../src/pipeline-config/load-yaml.js";

test("a common_task entry becomes a CommonTaskConfig labelled by its id, settings prefixed as the SDKs do", () => {
  const config = parsePipelineYaml(
    [
      "id: web",
      "tasks:",
      "  - id: build",
      "    image: alpine",
      "    variables: {TOKEN: 'pipeline_secret{{token}}'}",
      "  - id: show",
      "    common_task: debug",
      "    description: prints the env",
      "    depends_on: {build: any}",
      "    settings: {greeting: hi, GOFER_PLUGIN_PARAM_TARGET: prod}",
    ].join("\n"),
    "web.yaml",
  );
  expect(config.tasks[1]?.task).toEqual({
    $case: "commonTask",
    value: {
      name: "debug",
      label: "show",
      description: "prints the env",
      dependsOn: { build: 1 },
      settings: { GOFER_PLUGIN_PARAM_GREETING: "hi", GOFER_PLUGIN_PARAM_TARGET: "prod" },
    },
  });
  expect(config.tasks[0]?.task?.value).toMatchObject({ variables: { TOKEN: "pipeline_secret{{token}}" } });
});

test("a common task with an image, or a custom task with settings, is reported with its place", () => {
  let error: CliError | undefined;
  try {
    parsePipelineYaml(
      [
        "id: web",
        "tasks:",
        "  - id: show",
        "    common_task: debug",
        "    image: alpine",
        "  - id: build",
        "    image: alpine",
        "    settings: {a: b}",
      ].join("\n"),
      "web.yaml",
    );
  } catch (e) {
    error = e as CliError;
  }
  expect(error?.message).toContain("web.yaml:5:12: tasks[0].image: a common task takes settings, not image");
  expect(error?.message).toContain(
    "tasks[1].settings: only a common task (common_task: <name>) takes settings; use variables",
  );
});
