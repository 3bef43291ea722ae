import { expect, test } from "vitest";
import { customTask, pipeline, pipelineSecret, runObject, trigger } from "../src/index.js";

test("a pipeline with mistakes lists every one of them", () => {
  const p = pipeline("bad id", "")
    .tasks(customTask("build", "").dependsOn("missing"), customTask("build", "alpine").dependsOn("build", "ANY"))
    .triggers(trigger("interval", "every"), trigger("", "every"));
  expect(() => p.build()).toThrow(
    [
      'pipeline "bad id": id "bad id" must be 1-70 letters, digits, "_" or "-"',
      'pipeline "bad id" task "build": image is required',
      'pipeline "bad id" task "build": depends_on unknown task "missing"',
      'pipeline "bad id" task "build": duplicate task id "build"',
      'pipeline "bad id" task "build": depends_on "build": a task cannot depend on itself',
      'pipeline "bad id" trigger label "every": trigger name is required',
      'pipeline "bad id" trigger label "every": duplicate trigger label "every"',
    ].join("\n"),
  );
});

test("trigger settings get the SDK prefix and task variables keep their keys", () => {
  const config = pipeline("p", "P")
    .tasks(customTask("t", "alpine").variable("token", pipelineSecret("deploy")).variable("Out", runObject("x")))
    .triggers(trigger("interval", "hourly").setting("every", "1h"))
    .build();
  expect(config.triggers[0]?.settings).toEqual({ GOFER_PLUGIN_PARAM_EVERY: "1h" });
  expect(config.tasks[0]).toMatchObject({
    variables: { token: "pipeline_secret{{deploy}}", Out: "run_object{{x}}" },
  });
});

test("finish prints bytes to a pipe and readable JSON to a terminal", () => {
  const p = pipeline("p", "P").tasks(customTask("t", "alpine"));
  const piped: Array<Uint8Array | string> = [];
  p.finish({ isTTY: false, write: (chunk) => piped.push(chunk) }, { write: () => true });
  expect(piped).toEqual([p.toBytes()]);

  const shown: Array<Uint8Array | string> = [];
  const notes: Array<Uint8Array | string> = [];
  p.finish({ isTTY: true, write: (chunk) => shown.push(chunk) }, { write: (chunk) => notes.push(chunk) });
  expect(JSON.parse(String(shown[0]))).toMatchObject({
    id: "p",
    parallelism: 0,
    tasks: [{ id: "t", image: "alpine" }],
  });
  expect(String(notes[0])).toContain("gofer pipeline create");
});
