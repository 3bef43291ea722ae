// Common tasks through the real API on the process engine: the debug common task (packages/common-tasks-debug)
// installed from its image name, used by the original's pipelineconfig-commonTask vector, and run.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  CommonTaskRegistration_Status,
  GoferClient,
  PipelineConfig,
  type PromiseClient,
  promiseClient,
  type Run,
  Run_RunState,
  Run_RunStatus,
  type TaskRun,
  TaskRun_TaskRunStatus,
  TaskRunStatusReason_Reason,
} from "@gofer/proto";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startTestServer, type TestServer } from "./server-harness.js";

type Api = PromiseClient<GoferClient>;
const WAIT = { timeout: 20_000, interval: 25 };
const IMAGE = "gofer-common-task-debug:latest";
const vectors = fileURLToPath(new URL("../../../testdata/vectors", import.meta.url));

let s: TestServer;
let admin: Api;
let client: Api;
let adminToken = "";
const clients: GoferClient[] = [];

function clientWith(token: string): Api {
  const credentials = grpc.credentials.createSsl(Buffer.from(s.server.apiCertPem as string), null, null, {
    checkServerIdentity: () => undefined,
  });
  const c = new GoferClient(s.server.address, credentials, { "grpc.ssl_target_name_override": "localhost" });
  clients.push(c);
  const metadata = new grpc.Metadata();
  metadata.set("authorization", `Bearer ${token}`);
  return promiseClient(c, { metadata });
}

const adminMetadata = () => {
  const m = new grpc.Metadata();
  m.set("authorization", `Bearer ${adminToken}`);
  return m;
};

async function completedRun(pipelineId: string, id: bigint): Promise<Run> {
  return vi.waitFor(async () => {
    const run = (await admin.getRun({ namespaceId: "default", pipelineId, id })).run as Run;
    expect(run.state).toBe(Run_RunState.COMPLETE);
    return run;
  }, WAIT);
}

async function logText(pipelineId: string, runId: bigint, id: string): Promise<string> {
  const lines: string[] = [];
  const stream = s.client.getTaskRunLogs({ namespaceId: "default", pipelineId, runId, id }, adminMetadata(), {
    deadline: new Date(Date.now() + 20_000),
  });
  for await (const item of stream) lines.push(item.logLine);
  return lines.join("\n");
}

async function startRun(pipelineId: string): Promise<Run> {
  return (await admin.startRun({ namespaceId: "default", pipelineId, variables: {}, initiator: undefined })).run as Run;
}

async function taskRun(pipelineId: string, runId: bigint, id: string): Promise<TaskRun> {
  return (await admin.getTaskRun({ namespaceId: "default", pipelineId, runId, id })).taskRun as TaskRun;
}

async function events(kind: string): Promise<unknown[]> {
  const found: unknown[] = [];
  for await (const item of s.client.listEvents({ reverse: false, follow: false }, adminMetadata())) {
    if (item.event?.kind === kind) found.push(JSON.parse(item.event.details));
  }
  return found;
}

beforeAll(async () => {
  const open = await startTestServer();
  adminToken = (await open.api.bootstrapToken({})).token;
  await open.stop();
  s = await startTestServer({ dir: open.dir, token: adminToken, set: { "development.bypass_auth": false } });
  admin = s.api;
  client = clientWith(
    (await admin.createToken({ kind: 2, namespaces: ["default"], metadata: {}, expires: "24h" })).token,
  );
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await s?.destroy();
});

describe("common tasks", () => {
  it("print their install instructions from the image's installer", async () => {
    const { instructions } = await admin.getCommonTaskInstallInstructions({ image: IMAGE, user: "", pass: "" });
    expect(JSON.parse(instructions).instructions.at(-1)).toEqual({
      query: { text: "Turn on the filter? [true/false]", config_key: "filter" },
    });
  }, 30_000);

  it("are installed, listed and changed by management tokens only", async () => {
    const request = {
      name: "debug",
      image: IMAGE,
      user: "",
      pass: "",
      variables: { filter: "true", api_token: "global_secret{{ci_token}}" },
      documentation: "https://example.com/debug",
    };
    const denied = { code: grpc.status.PERMISSION_DENIED };
    await expect(client.installCommonTask(request)).rejects.toMatchObject({
      ...denied,
      details: "management token required to install common tasks",
    });
    await expect(client.getCommonTaskInstallInstructions({ image: IMAGE, user: "", pass: "" })).rejects.toMatchObject(
      denied,
    );
    await admin.putGlobalSecret({ key: "ci_token", content: "GLOBAL-TOKEN-VALUE", force: false });
    await admin.installCommonTask(request);
    await expect(admin.installCommonTask(request)).rejects.toMatchObject({
      code: grpc.status.ALREADY_EXISTS,
      details: 'common task "debug" is already installed; uninstall it first',
    });
    await expect(admin.installCommonTask({ ...request, name: "bad name" })).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: 'common task name "bad name" must be 1-70 letters, digits, "_" or "-"',
    });
    const seen = (await client.getCommonTask({ name: "debug" })).commonTask;
    expect(seen).toMatchObject({ name: "debug", image: IMAGE, status: CommonTaskRegistration_Status.ENABLED });
    // A client token sees the config keys, not their values.
    expect(seen?.variables.map((v) => [v.key, v.value])).toEqual([
      ["filter", ""],
      ["api_token", ""],
    ]);
    expect((await admin.listCommonTasks({})).commonTasks.map((t) => t.name)).toEqual(["debug"]);
    for (const call of [
      () => client.disableCommonTask({ name: "debug" }),
      () => client.enableCommonTask({ name: "debug" }),
      () => client.uninstallCommonTask({ name: "debug" }),
    ]) {
      await expect(call()).rejects.toMatchObject(denied);
    }
    await expect(admin.getCommonTask({ name: "nope" })).rejects.toMatchObject({
      code: grpc.status.NOT_FOUND,
      details: 'common task "nope" is not installed',
    });
    expect(await events("INSTALLED_COMMON_TASK")).toEqual([{ name: "debug", image: IMAGE }]);
  });

  it("run as tasks of the original's vector pipeline with settings and install config in their env", async () => {
    const config = PipelineConfig.decode(readFileSync(join(vectors, "pipelineconfig-commonTask.bin")));
    const task = config.tasks[0]?.task;
    if (task?.$case !== "commonTask") throw new Error("vector changed");
    task.value.settings = { greeting: "hello", GOFER_PLUGIN_PARAM_TARGET: "prod" };
    await admin.createPipeline({ namespaceId: "default", pipelineConfig: config });
    const run = await startRun(config.id);
    const done = await completedRun(config.id, run.id);
    expect(done.status).toBe(Run_RunStatus.SUCCESSFUL);
    const log = await logText(config.id, run.id, "debug_task");
    expect(log).toContain("Printing out env vars");
    expect(log).toContain("GOFER_PLUGIN_PARAM_GREETING=hello");
    expect(log).toContain("GOFER_PLUGIN_PARAM_TARGET=prod");
    expect(log).toContain("GOFER_PLUGIN_CONFIG_FILTER=true");
    expect(log).toContain("GOFER_PLUGIN_CONFIG_API_TOKEN=[redacted]");
    expect(log).toContain("GOFER_TASK_ID=debug_task");
    expect(log).not.toContain("GLOBAL-TOKEN-VALUE");
    const shown = await taskRun(config.id, run.id, "debug_task");
    expect(shown.task?.$case).toBe("commonTask");
    // The task run records the settings, never the install config.
    expect(shown.variables.map((v) => v.key)).not.toContain("GOFER_PLUGIN_CONFIG_API_TOKEN");
  }, 30_000);

  it("fail the task run clearly when disabled or uninstalled", async () => {
    await admin.disableCommonTask({ name: "debug" });
    expect((await admin.getCommonTask({ name: "debug" })).commonTask?.status).toBe(
      CommonTaskRegistration_Status.DISABLED,
    );
    let run = await startRun("common_task");
    expect((await completedRun("common_task", run.id)).status).toBe(Run_RunStatus.FAILED);
    let failed = await taskRun("common_task", run.id, "debug_task");
    expect(failed.status).toBe(TaskRun_TaskRunStatus.FAILED);
    expect(failed.statusReason).toEqual({
      reason: TaskRunStatusReason_Reason.FAILED_PRECONDITION,
      description: 'Common task "debug" is disabled; enable it with `gofer common-task enable debug`',
    });
    await admin.enableCommonTask({ name: "debug" });
    await admin.uninstallCommonTask({ name: "debug" });
    run = await startRun("common_task");
    await completedRun("common_task", run.id);
    failed = await taskRun("common_task", run.id, "debug_task");
    expect(failed.statusReason?.description).toBe(
      'Common task "debug" is not installed; install it with `gofer common-task install debug <image>`',
    );
    expect(await events("DISABLED_COMMON_TASK")).toEqual([{ name: "debug", image: IMAGE }]);
    expect(await events("ENABLED_COMMON_TASK")).toEqual([{ name: "debug", image: IMAGE }]);
    expect(await events("UNINSTALLED_COMMON_TASK")).toEqual([{ name: "debug" }]);
  }, 30_000);
});

describe("after a restart", () => {
  it("installed common tasks, with their status, are still there", async () => {
    const first = await startTestServer();
    await first.api.installCommonTask({
      name: "kept",
      image: IMAGE,
      user: "",
      pass: "",
      variables: { filter: "false" },
      documentation: "",
    });
    await first.api.disableCommonTask({ name: "kept" });
    await first.stop();
    const again = await startTestServer({ dir: first.dir });
    try {
      expect((await again.api.getCommonTask({ name: "kept" })).commonTask).toMatchObject({
        name: "kept",
        image: IMAGE,
        status: CommonTaskRegistration_Status.DISABLED,
        variables: [{ key: "filter", value: "false" }],
      });
    } finally {
      await again.destroy();
    }
  }, 30_000);
});
