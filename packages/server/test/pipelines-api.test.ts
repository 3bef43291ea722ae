import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PipelineConfig } from "@gofer/proto";
import { status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { intervalPipeline, startTestServer, type TestServer } from "./server-harness.js";

// The golden vectors from the original Go code, kept in the repository (testdata/vectors/README.md).
const vectors = fileURLToPath(new URL("../../../testdata/vectors", import.meta.url));

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
  await s.api.installTrigger({
    name: "interval",
    image: "gofer-trigger-interval:latest",
    user: "",
    pass: "",
    variables: { MIN_DURATION: "1s" },
  });
}, 30_000);
afterAll(() => s?.destroy());

type Config = ReturnType<typeof intervalPipeline>;

async function createError(config: Config | ReturnType<typeof PipelineConfig.decode>) {
  const error = await s.api.createPipeline({ namespaceId: "default", pipelineConfig: config }).then(
    () => undefined,
    (e: { code: number; details: string }) => e,
  );
  return error && { code: error.code, details: error.details };
}

function withTask(config: Config, patch: Partial<Config["tasks"][number]["task"]["value"]>): Config {
  const task = config.tasks[0]?.task.value;
  return {
    ...config,
    tasks: [
      { task: { $case: "customTask", value: { ...task, ...patch } as Config["tasks"][number]["task"]["value"] } },
    ],
  };
}

describe("pipeline configs are validated with errors that name the field and the value", () => {
  test.each([
    [
      "an id with a space",
      { ...intervalPipeline("a b") },
      'pipeline "a b": id "a b" must be 1-70 letters, digits, "_" or "-"',
    ],
    [
      "a missing image",
      withTask(intervalPipeline("p1"), { image: "" }),
      'pipeline "p1" task "hello": image is required',
    ],
    [
      "an unknown depends_on",
      withTask(intervalPipeline("p2"), { dependsOn: { ghost: 2 } }),
      'pipeline "p2" task "hello": depends_on unknown task "ghost"',
    ],
    [
      "an unknown trigger",
      { ...intervalPipeline("p3"), triggers: [{ name: "webhook", label: "hook", settings: {} }] },
      'pipeline "p3" trigger label "hook": trigger "webhook" is not installed',
    ],
    [
      "a setting the trigger refuses (the trigger's own text)",
      intervalPipeline("p4", "banana"),
      'could not subscribe subscription "every" of pipeline "default/p4" to trigger "interval": setting EVERY = "banana" is not a duration; use a Go duration such as "5m", "1h30m" or "90s"',
    ],
  ])("%s", async (_what, config, details) => {
    const error = await createError(config);
    expect(error?.details).toBe(details);
    expect([status.INVALID_ARGUMENT, status.FAILED_PRECONDITION]).toContain(error?.code);
  });

  test("duplicate task ids and dependency cycles", async () => {
    const base = intervalPipeline("cyc");
    const task = (id: string, dependsOn: Record<string, number>) => ({
      task: {
        $case: "customTask" as const,
        value: { ...base.tasks[0]?.task.value, id, dependsOn } as Config["tasks"][number]["task"]["value"],
      },
    });
    expect(await createError({ ...base, tasks: [task("a", {}), task("a", {})] })).toEqual({
      code: status.INVALID_ARGUMENT,
      details: 'pipeline "cyc" task "a": duplicate task id "a"',
    });
    expect(
      await createError({ ...base, tasks: [task("a", { c: 2 }), task("b", { a: 2 }), task("c", { b: 1 })] }),
    ).toEqual({
      code: status.INVALID_ARGUMENT,
      details: 'pipeline "cyc": tasks depend on each other in a cycle: a → c → b → a',
    });
  });

  test("a refused create stores nothing", async () => {
    await createError(intervalPipeline("p5", "banana"));
    await expect(s.api.getPipeline({ namespaceId: "default", id: "p5" })).rejects.toMatchObject({
      code: status.NOT_FOUND,
    });
  });
});

describe("updates", () => {
  test("an update whose Subscribe fails keeps the previous pipeline and its subscription", async () => {
    await s.api.createPipeline({ namespaceId: "default", pipelineConfig: intervalPipeline("keeper", "5s") });
    const bad = { ...intervalPipeline("keeper", "nope"), description: "changed" };
    await expect(s.api.updatePipeline({ namespaceId: "default", pipelineConfig: bad })).rejects.toMatchObject({
      code: status.FAILED_PRECONDITION,
    });
    const kept = (await s.api.getPipeline({ namespaceId: "default", id: "keeper" })).pipeline;
    expect(kept?.description).toBe("");
    expect(kept?.triggers.every?.settings).toEqual({ EVERY: "5s" });
    expect(s.server.subscriptions.held("interval").filter((h) => h.pipelineId === "keeper")).toEqual([
      expect.objectContaining({ label: "every", settings: { EVERY: "5s" } }),
    ]);
  });

  test("a good update replaces tasks and settings", async () => {
    await s.api.createPipeline({ namespaceId: "default", pipelineConfig: intervalPipeline("mover", "5s") });
    const next = { ...intervalPipeline("mover", "7s", "slower"), description: "now slower" };
    const updated = (await s.api.updatePipeline({ namespaceId: "default", pipelineConfig: next })).pipeline;
    expect(updated?.description).toBe("now slower");
    expect(Object.keys(updated?.triggers ?? {})).toEqual(["slower"]);
    expect(
      s.server.subscriptions
        .held("interval")
        .filter((h) => h.pipelineId === "mover")
        .map((h) => h.label),
    ).toEqual(["slower"]);
  });
});

describe("pipelines written by the original Go SDK", () => {
  test.each(["dag", "simple"])("pipelineconfig-%s.bin is accepted as it is", async (name) => {
    const config = PipelineConfig.decode(readFileSync(join(vectors, `pipelineconfig-${name}.bin`)));
    const created = (await s.api.createPipeline({ namespaceId: "default", pipelineConfig: config })).pipeline;
    expect(created?.id).toBe(config.id);
    expect(Object.keys(created?.customTasks ?? {}).sort()).toEqual(
      config.tasks.map((t) => (t.task?.$case === "customTask" ? t.task.value.id : "")).sort(),
    );
  });

  test("a setting sent as GOFER_PLUGIN_PARAM_EVERY reaches the interval trigger as EVERY", async () => {
    const config = PipelineConfig.decode(readFileSync(join(vectors, "pipelineconfig-trigger-workaround.bin")));
    const created = (await s.api.createPipeline({ namespaceId: "default", pipelineConfig: config })).pipeline;
    expect(created?.triggers.every_one_minute?.settings).toEqual({ GOFER_PLUGIN_PARAM_EVERY: "1m" });
    expect(s.server.subscriptions.held("interval").filter((h) => h.pipelineId === config.id)).toHaveLength(1);
  });

  test("a pipeline with a common task is stored with it, installed or not (runs say so)", async () => {
    const config = PipelineConfig.decode(readFileSync(join(vectors, "pipelineconfig-commonTask.bin")));
    const created = (await s.api.createPipeline({ namespaceId: "default", pipelineConfig: config })).pipeline;
    expect(created?.commonTasks).toEqual({
      debug_task: { name: "debug", label: "debug_task", description: "", dependsOn: {}, settings: {} },
    });
  });
});
