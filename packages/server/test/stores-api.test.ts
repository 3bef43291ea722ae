// The secret and object stores through the real API: a server on a temp directory, the process engine, the
// generated client; tokens of every kind for the authorization rules.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import {
  GoferClient,
  type PipelineConfig,
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

let s: TestServer;
let admin: Api;
let teamA: Api;
let foreign: Api;
const clients: GoferClient[] = [];

function clientWith(token: string): Api {
  const credentials = grpc.credentials.createSsl(Buffer.from(s.server.apiCertPem as string), null, null, {
    checkServerIdentity: () => undefined,
  });
  const client = new GoferClient(s.server.address, credentials, { "grpc.ssl_target_name_override": "localhost" });
  clients.push(client);
  const metadata = new grpc.Metadata();
  metadata.set("authorization", `Bearer ${token}`);
  return promiseClient(client, { metadata });
}

function pipeline(
  id: string,
  tasks: Array<{ id: string; script: string; variables?: Record<string, string>; dependsOn?: Record<string, number> }>,
): PipelineConfig {
  return {
    id,
    name: id,
    description: "",
    parallelism: 0n,
    tasks: tasks.map((task) => ({
      task: {
        $case: "customTask" as const,
        value: {
          id: task.id,
          description: "",
          image: "alpine:3",
          registryAuth: undefined,
          dependsOn: task.dependsOn ?? {},
          variables: task.variables ?? {},
          entrypoint: [],
          command: ["sh", "-c", task.script],
        },
      },
    })),
    triggers: [],
  };
}

async function completedRun(api: Api, namespaceId: string, pipelineId: string, id: bigint): Promise<Run> {
  return vi.waitFor(async () => {
    const run = (await api.getRun({ namespaceId, pipelineId, id })).run as Run;
    expect(run.state).toBe(Run_RunState.COMPLETE);
    return run;
  }, WAIT);
}

async function logText(namespaceId: string, pipelineId: string, runId: bigint, id: string): Promise<string> {
  const lines: string[] = [];
  const stream = s.client.getTaskRunLogs({ namespaceId, pipelineId, runId, id }, adminMetadata(), {
    deadline: new Date(Date.now() + 20_000),
  });
  for await (const item of stream) lines.push(item.logLine);
  return lines.join("\n");
}

let adminToken = "";
const adminMetadata = () => {
  const m = new grpc.Metadata();
  m.set("authorization", `Bearer ${adminToken}`);
  return m;
};

async function taskRun(api: Api, ns: string, pipelineId: string, runId: bigint, id: string): Promise<TaskRun> {
  return (await api.getTaskRun({ namespaceId: ns, pipelineId, runId, id })).taskRun as TaskRun;
}

beforeAll(async () => {
  const open = await startTestServer();
  adminToken = (await open.api.bootstrapToken({})).token;
  await open.stop();
  s = await startTestServer({
    dir: open.dir,
    token: adminToken,
    set: {
      "development.bypass_auth": false,
      "object_store.pipeline_object_limit": 2,
      "object_store.run_object_expiry": 1,
      "object_store.max_object_bytes": 1024,
    },
  });
  admin = s.api;
  await admin.createNamespace({ id: "team-a", name: "Team A", description: "" });
  await admin.createNamespace({ id: "team-b", name: "Team B", description: "" });
  const token = async (namespaces: string[]) =>
    (await admin.createToken({ kind: 2, namespaces, metadata: {}, expires: "24h" })).token;
  teamA = clientWith(await token(["team-a"]));
  foreign = clientWith(await token(["team-b"]));
  await admin.createPipeline({ namespaceId: "team-a", pipelineConfig: pipeline("app", [{ id: "t", script: "true" }]) });
}, 60_000);

afterAll(async () => {
  for (const client of clients) client.close();
  await s?.destroy();
});

describe("pipeline secrets", () => {
  it("are put, listed and read back only with include_secret", async () => {
    const put = await teamA.putPipelineSecret({
      namespaceId: "team-a",
      pipelineId: "app",
      key: "deploy_key",
      content: "hunter2-ünïcode",
      force: false,
    });
    expect(put.bytes).toBe(BigInt(Buffer.byteLength("hunter2-ünïcode")));
    const hidden = await teamA.getPipelineSecret({
      namespaceId: "team-a",
      pipelineId: "app",
      key: "deploy_key",
      includeSecret: false,
    });
    expect(hidden.secret).toBe("");
    expect(hidden.metadata?.key).toBe("deploy_key");
    const shown = await teamA.getPipelineSecret({
      namespaceId: "team-a",
      pipelineId: "app",
      key: "deploy_key",
      includeSecret: true,
    });
    expect(shown.secret).toBe("hunter2-ünïcode");
    const list = await teamA.listPipelineSecrets({ namespaceId: "team-a", pipelineId: "app" });
    expect(list.keys.map((k) => k.key)).toEqual(["deploy_key"]);
    // Nothing about the pipeline shows the value.
    const shownPipeline = JSON.stringify(
      (await teamA.getPipeline({ namespaceId: "team-a", id: "app" })).pipeline,
      (_k, v) => (typeof v === "bigint" ? String(v) : v),
    );
    expect(shownPipeline).not.toContain("hunter2");
  });

  it("refuses to overwrite without force, and overwrites with it", async () => {
    const ref = { namespaceId: "team-a", pipelineId: "app", key: "token" };
    await teamA.putPipelineSecret({ ...ref, content: "one", force: false });
    await expect(teamA.putPipelineSecret({ ...ref, content: "two", force: false })).rejects.toMatchObject({
      code: grpc.status.ALREADY_EXISTS,
      details: 'pipeline secret "token" already exists in pipeline "team-a/app"; use force to overwrite it',
    });
    expect((await teamA.getPipelineSecret({ ...ref, includeSecret: true })).secret).toBe("one");
    await teamA.putPipelineSecret({ ...ref, content: "two", force: true });
    expect((await teamA.getPipelineSecret({ ...ref, includeSecret: true })).secret).toBe("two");
    await teamA.deletePipelineSecret(ref);
    await expect(teamA.getPipelineSecret({ ...ref, includeSecret: false })).rejects.toMatchObject({
      code: grpc.status.NOT_FOUND,
      details: 'pipeline secret "token" not found in pipeline "team-a/app"',
    });
  });

  it("rejects bad keys and oversize values and stores nothing", async () => {
    const base = { namespaceId: "team-a", pipelineId: "app", force: false };
    await expect(teamA.putPipelineSecret({ ...base, key: "has space", content: "x" })).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: 'secret key "has space" must be 1-128 letters, digits, "_", "." or "-"',
    });
    await expect(teamA.putPipelineSecret({ ...base, key: "", content: "x" })).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
    });
    await expect(
      teamA.putPipelineSecret({ ...base, key: "big", content: "x".repeat(64 * 1024 + 1) }),
    ).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: 'pipeline secret "big": value is 65537 bytes; the limit is 65536 bytes',
    });
    await expect(
      admin.putPipelineSecret({ ...base, namespaceId: "nope", key: "k", content: "x" }),
    ).rejects.toMatchObject({
      code: grpc.status.NOT_FOUND,
      details: 'namespace "nope" not found',
    });
    const keys = (await teamA.listPipelineSecrets({ namespaceId: "team-a", pipelineId: "app" })).keys.map((k) => k.key);
    expect(keys).not.toContain("has space");
    expect(keys).not.toContain("big");
  });

  it("are out of reach of another namespace's token", async () => {
    const ref = { namespaceId: "team-a", pipelineId: "app" };
    const denied = { code: grpc.status.PERMISSION_DENIED };
    await expect(foreign.getPipelineSecret({ ...ref, key: "deploy_key", includeSecret: true })).rejects.toMatchObject(
      denied,
    );
    await expect(foreign.listPipelineSecrets(ref)).rejects.toMatchObject(denied);
    await expect(
      foreign.putPipelineSecret({ ...ref, key: "planted", content: "x", force: true }),
    ).rejects.toMatchObject(denied);
    await expect(foreign.deletePipelineSecret({ ...ref, key: "deploy_key" })).rejects.toMatchObject(denied);
    // An empty namespace defaults to the token's own: the foreign token sees only its namespace.
    await expect(foreign.listPipelineSecrets({ namespaceId: "", pipelineId: "app" })).resolves.toEqual({ keys: [] });
    expect((await admin.listPipelineSecrets(ref)).keys.map((k) => k.key)).toEqual(["deploy_key"]);
  });

  it("are stored encrypted in a 0600 file of their own", async () => {
    await admin.putPipelineSecret({
      namespaceId: "team-a",
      pipelineId: "app",
      key: "plain_check",
      content: "PLAINTEXT-MARKER-42",
      force: true,
    });
    await admin.putGlobalSecret({ key: "plain_check_global", content: "GLOBAL-MARKER-43", force: true });
    const dir = s.dir;
    for (const name of ["gofer-secret.db", "gofer-secret.db-wal"]) {
      let raw: Buffer;
      try {
        raw = readFileSync(join(dir, name));
      } catch {
        continue;
      }
      expect(raw.includes("PLAINTEXT-MARKER-42")).toBe(false);
      expect(raw.includes("GLOBAL-MARKER-43")).toBe(false);
      expect(statSync(join(dir, name)).mode & 0o777).toBe(0o600);
    }
    expect(statSync(join(dir, "gofer-secret.db")).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "gofer-object.db")).mode & 0o777).toBe(0o600);
  });
});

describe("global secrets", () => {
  it("need a management token for every method", async () => {
    const denied = {
      code: grpc.status.PERMISSION_DENIED,
      details: "management token required to put global secrets",
    };
    await expect(teamA.putGlobalSecret({ key: "ci_token", content: "x", force: false })).rejects.toMatchObject(denied);
    await admin.putGlobalSecret({ key: "ci_token", content: "global-value", force: false });
    for (const api of [teamA, foreign]) {
      await expect(api.getGlobalSecret({ key: "ci_token", includeSecret: true })).rejects.toMatchObject({
        code: grpc.status.PERMISSION_DENIED,
        details: "management token required to read global secrets",
      });
      await expect(api.listGlobalSecrets({})).rejects.toMatchObject({ code: grpc.status.PERMISSION_DENIED });
      await expect(api.deleteGlobalSecret({ key: "ci_token" })).rejects.toMatchObject({
        code: grpc.status.PERMISSION_DENIED,
      });
    }
    expect((await admin.getGlobalSecret({ key: "ci_token", includeSecret: true })).secret).toBe("global-value");
    expect((await admin.listGlobalSecrets({})).keys.map((k) => k.key)).toContain("ci_token");
    await expect(admin.putGlobalSecret({ key: "ci_token", content: "y", force: false })).rejects.toMatchObject({
      code: grpc.status.ALREADY_EXISTS,
      details: 'global secret "ci_token" already exists; use force to overwrite it',
    });
  });

  it("cannot be used from pipeline configuration or run options", async () => {
    await expect(
      admin.createPipeline({
        namespaceId: "team-a",
        pipelineConfig: {
          ...pipeline("g", [{ id: "t", script: "true" }]),
          triggers: [{ name: "interval", label: "x", settings: { EVERY: "global_secret{{ci_token}}" } }],
        },
      }),
    ).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    await expect(
      admin.createPipeline({
        namespaceId: "team-a",
        pipelineConfig: pipeline("g2", [{ id: "t", script: "true", variables: { T: "global_secret{{ci_token}}" } }]),
      }),
    ).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details:
        'pipeline "g2" task "t": variable "T": global_secret{{…}} is not allowed in pipeline configuration; global secrets are for trigger and common task install config',
    });
    await admin.createPipeline({
      namespaceId: "team-a",
      pipelineConfig: pipeline("runopts", [{ id: "show", script: 'echo "T=$T"' }]),
    });
    const run = (
      await teamA.startRun({
        namespaceId: "team-a",
        pipelineId: "runopts",
        variables: { T: "global_secret{{ci_token}}" },
        initiator: undefined,
      })
    ).run as Run;
    await completedRun(admin, "team-a", "runopts", run.id);
    const show = await taskRun(admin, "team-a", "runopts", run.id, "show");
    expect(show.status).toBe(TaskRun_TaskRunStatus.FAILED);
    expect(show.statusReason?.reason).toBe(TaskRunStatusReason_Reason.FAILED_PRECONDITION);
    expect(show.statusReason?.description).toBe(
      'Task could not be run due to inability to retrieve interpolated variables; variable "T": global_secret{{ci_token}}: global secrets may only be used in server-side configuration (trigger and common task install config), not in pipeline configuration or run options',
    );
  });
});

describe("interpolation at task start", () => {
  it("gives a task its pipeline secret, a pipeline object and an earlier task's run object", async () => {
    await admin.createPipeline({
      namespaceId: "team-a",
      pipelineConfig: pipeline("interp", [
        // Waits until the test has put the run object (tasks get no API token, as in v0.4.1).
        { id: "first", script: `while [ ! -f "${join(s.dir, "go")}" ]; do sleep 0.05; done` },
        {
          id: "second",
          script: 'echo "SECRET=$SECRET OBJ=$OBJ RUNOBJ=$RUNOBJ"',
          dependsOn: { first: 2 },
          variables: {
            SECRET: " pipeline_secret{{ db_pass }} ",
            OBJ: "pipeline_object{{build_id}}",
            RUNOBJ: "run_object{{artifact}}",
          },
        },
      ]),
    });
    await teamA.putPipelineSecret({
      namespaceId: "team-a",
      pipelineId: "interp",
      key: "db_pass",
      content: "s3cr3t",
      force: false,
    });
    await teamA.putPipelineObject({
      namespaceId: "team-a",
      pipelineId: "interp",
      key: "build_id",
      content: Buffer.from("b-17"),
      force: false,
    });
    const run = (
      await teamA.startRun({ namespaceId: "team-a", pipelineId: "interp", variables: {}, initiator: undefined })
    ).run as Run;
    await teamA.putRunObject({
      namespaceId: "team-a",
      pipelineId: "interp",
      runId: run.id,
      key: "artifact",
      content: Buffer.from("a.tar"),
      force: false,
    });
    const { writeFileSync } = await import("node:fs");
    writeFileSync(join(s.dir, "go"), "");
    const done = await completedRun(admin, "team-a", "interp", run.id);
    expect(done.status).toBe(Run_RunStatus.SUCCESSFUL);
    expect(await logText("team-a", "interp", run.id, "second")).toContain("SECRET=s3cr3t OBJ=b-17 RUNOBJ=a.tar");
    // The stored variables keep the references, never the values.
    const second = await taskRun(admin, "team-a", "interp", run.id, "second");
    expect(second.variables.find((v) => v.key === "SECRET")?.value).toBe(" pipeline_secret{{ db_pass }} ");
  }, 30_000);

  it("fails the task run naming the variable and the missing key", async () => {
    await admin.createPipeline({
      namespaceId: "team-a",
      pipelineConfig: pipeline("missing", [
        { id: "t", script: "echo never", variables: { PASS: "pipeline_secret{{nope}}" } },
        { id: "after", script: "echo never", dependsOn: { t: 2 } },
      ]),
    });
    const run = (
      await teamA.startRun({ namespaceId: "team-a", pipelineId: "missing", variables: {}, initiator: undefined })
    ).run as Run;
    const done = await completedRun(admin, "team-a", "missing", run.id);
    expect(done.status).toBe(Run_RunStatus.FAILED);
    const t = await taskRun(admin, "team-a", "missing", run.id, "t");
    expect(t.statusReason?.description).toBe(
      'Task could not be run due to inability to retrieve interpolated variables; variable "PASS": pipeline_secret{{nope}}: pipeline "team-a/missing" has no secret "nope"',
    );
    expect((await taskRun(admin, "team-a", "missing", run.id, "after")).status).toBe(TaskRun_TaskRunStatus.SKIPPED);
  });
});

describe("interpolation in trigger settings", () => {
  it("resolves a pipeline secret put before the pipeline exists, and names a missing one", async () => {
    await admin.installTrigger({
      name: "interval",
      image: "gofer-trigger-interval:latest",
      user: "",
      pass: "",
      variables: { MIN_DURATION: "1s" },
    });
    const config = (id: string) => ({
      ...pipeline(id, [{ id: "t", script: "true" }]),
      triggers: [{ name: "interval", label: "tick", settings: { EVERY: "pipeline_secret{{period}}" } }],
    });
    await expect(
      admin.createPipeline({ namespaceId: "team-a", pipelineConfig: config("nosecret") }),
    ).rejects.toMatchObject({
      code: grpc.status.FAILED_PRECONDITION,
      details:
        'could not subscribe subscription "tick" of pipeline "team-a/nosecret" to trigger "interval": setting "EVERY": pipeline_secret{{period}}: pipeline "team-a/nosecret" has no secret "period"',
    });
    // A value that is no duration reaches the trigger, which refuses it: proof the secret was resolved.
    await teamA.putPipelineSecret({
      namespaceId: "team-a",
      pipelineId: "ticker",
      key: "period",
      content: "soon",
      force: false,
    });
    await expect(
      admin.createPipeline({ namespaceId: "team-a", pipelineConfig: config("ticker") }),
    ).rejects.toMatchObject({
      code: grpc.status.FAILED_PRECONDITION,
      details: expect.stringContaining("soon"),
    });
    await teamA.putPipelineSecret({
      namespaceId: "team-a",
      pipelineId: "ticker",
      key: "period",
      content: "1h",
      force: true,
    });
    const created = (await admin.createPipeline({ namespaceId: "team-a", pipelineConfig: config("ticker") })).pipeline;
    // The stored settings keep the reference.
    expect(created?.triggers.tick?.settings).toEqual({ EVERY: "pipeline_secret{{period}}" });
    expect(s.server.subscriptions.held("interval").map((h) => h.pipelineId)).toContain("ticker");
  }, 30_000);
});

describe("pipeline objects", () => {
  it("keep pipeline_object_limit objects, evicting the oldest with an event", async () => {
    const ref = { namespaceId: "team-a", pipelineId: "app" };
    const put = (key: string) => teamA.putPipelineObject({ ...ref, key, content: Buffer.from(key), force: false });
    expect(await put("one")).toEqual({ bytes: 3n, objectLimit: 2n, objectEvicted: "" });
    await put("two");
    expect(await put("three")).toEqual({ bytes: 5n, objectLimit: 2n, objectEvicted: "one" });
    expect((await teamA.listPipelineObjects(ref)).keys.map((k) => k.key)).toEqual(["two", "three"]);
    await expect(teamA.getPipelineObject({ ...ref, key: "one" })).rejects.toMatchObject({
      code: grpc.status.NOT_FOUND,
      details: 'pipeline object "one" not found in pipeline "team-a/app"',
    });
    expect(Buffer.from((await teamA.getPipelineObject({ ...ref, key: "three" })).content).toString()).toBe("three");
    const evictions = await eventsOf("EVICTED_PIPELINE_OBJECT");
    expect(evictions).toContainEqual({ namespace_id: "team-a", pipeline_id: "app", key: "one" });
    // An evicted key can be put again; an existing one only with force.
    await expect(put("three")).rejects.toMatchObject({ code: grpc.status.ALREADY_EXISTS });
    await teamA.putPipelineObject({ ...ref, key: "three", content: Buffer.from("3"), force: true });
    expect(Buffer.from((await teamA.getPipelineObject({ ...ref, key: "three" })).content).toString()).toBe("3");
    await teamA.deletePipelineObject({ ...ref, key: "three" });
    expect((await teamA.listPipelineObjects(ref)).keys.map((k) => k.key)).toEqual(["two"]);
  });

  it("refuse oversize content, bad keys, unknown pipelines and foreign tokens", async () => {
    const ref = { namespaceId: "team-a", pipelineId: "app", force: false };
    await expect(teamA.putPipelineObject({ ...ref, key: "big", content: Buffer.alloc(1025) })).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: 'pipeline object "big": content is 1025 bytes; the limit is 1024 bytes (object_store.max_object_bytes)',
    });
    await expect(teamA.putPipelineObject({ ...ref, key: "a/b", content: Buffer.from("x") })).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
    });
    await expect(
      teamA.putPipelineObject({ ...ref, pipelineId: "ghost", key: "k", content: Buffer.from("x") }),
    ).rejects.toMatchObject({
      code: grpc.status.NOT_FOUND,
      details: 'pipeline "team-a/ghost" not found',
    });
    const denied = { code: grpc.status.PERMISSION_DENIED };
    await expect(foreign.putPipelineObject({ ...ref, key: "k", content: Buffer.from("x") })).rejects.toMatchObject(
      denied,
    );
    await expect(foreign.getPipelineObject({ ...ref, key: "two" })).rejects.toMatchObject(denied);
    await expect(foreign.listPipelineObjects(ref)).rejects.toMatchObject(denied);
    await expect(foreign.deletePipelineObject({ ...ref, key: "two" })).rejects.toMatchObject(denied);
    expect((await admin.listPipelineObjects(ref)).keys.map((k) => k.key)).toEqual(["two"]);
  });
});

describe("run objects", () => {
  it("expire once their run is run_object_expiry runs old, with an event", async () => {
    await admin.createPipeline({
      namespaceId: "team-a",
      pipelineConfig: pipeline("exp", [{ id: "t", script: "true" }]),
    });
    const start = async () =>
      (await teamA.startRun({ namespaceId: "team-a", pipelineId: "exp", variables: {}, initiator: undefined }))
        .run as Run;
    const first = await start();
    await completedRun(admin, "team-a", "exp", first.id);
    const ref = { namespaceId: "team-a", pipelineId: "exp", runId: first.id };
    await teamA.putRunObject({ ...ref, key: "out", content: Buffer.from("x"), force: false });
    expect((await teamA.listRunObjects(ref)).keys.map((k) => k.key)).toEqual(["out"]);
    const denied = { code: grpc.status.PERMISSION_DENIED };
    await expect(foreign.getRunObject({ ...ref, key: "out" })).rejects.toMatchObject(denied);
    await expect(foreign.listRunObjects(ref)).rejects.toMatchObject(denied);
    await expect(
      foreign.putRunObject({ ...ref, key: "p", content: Buffer.from("x"), force: false }),
    ).rejects.toMatchObject(denied);
    await expect(foreign.deleteRunObject({ ...ref, key: "out" })).rejects.toMatchObject(denied);

    const second = await start();
    await completedRun(admin, "team-a", "exp", second.id);
    const expiredRun = (await admin.getRun({ namespaceId: "team-a", pipelineId: "exp", id: first.id })).run as Run;
    expect(expiredRun.storeObjectsExpired).toBe(true);
    expect((await teamA.listRunObjects(ref)).keys).toEqual([]);
    expect(await eventsOf("EXPIRED_RUN_OBJECTS")).toContainEqual({
      namespace_id: "team-a",
      pipeline_id: "exp",
      run_id: Number(first.id),
    });
    await expect(
      teamA.putRunObject({ ...ref, key: "late", content: Buffer.from("x"), force: false }),
    ).rejects.toMatchObject({
      code: grpc.status.FAILED_PRECONDITION,
    });
    await expect(teamA.getRunObject({ ...ref, runId: 99n, key: "out" })).rejects.toMatchObject({
      code: grpc.status.NOT_FOUND,
      details: 'run 99 of pipeline "team-a/exp" not found',
    });
  }, 30_000);
});

describe("deleting a pipeline", () => {
  it("deletes its secrets and objects", async () => {
    await admin.createPipeline({
      namespaceId: "team-a",
      pipelineConfig: pipeline("gone", [{ id: "t", script: "true" }]),
    });
    const ref = { namespaceId: "team-a", pipelineId: "gone" };
    await teamA.putPipelineSecret({ ...ref, key: "k", content: "v", force: false });
    await teamA.putPipelineObject({ ...ref, key: "k", content: Buffer.from("v"), force: false });
    await admin.deletePipeline({ namespaceId: "team-a", id: "gone" });
    await admin.createPipeline({
      namespaceId: "team-a",
      pipelineConfig: pipeline("gone", [{ id: "t", script: "true" }]),
    });
    expect((await teamA.listPipelineSecrets(ref)).keys).toEqual([]);
    expect((await teamA.listPipelineObjects(ref)).keys).toEqual([]);
  });

  it("deleting a namespace deletes its pipelines' secrets and objects", async () => {
    await admin.createNamespace({ id: "short-lived", name: "Short", description: "" });
    const ref = { namespaceId: "short-lived", pipelineId: "p" };
    await admin.putPipelineSecret({ ...ref, key: "k", content: "v", force: false });
    await admin.deleteNamespace({ id: "short-lived" });
    await admin.createNamespace({ id: "short-lived", name: "Short", description: "" });
    expect((await admin.listPipelineSecrets(ref)).keys).toEqual([]);
  });
});

async function eventsOf(kind: string): Promise<unknown[]> {
  const found: unknown[] = [];
  const stream = s.client.listEvents({ reverse: false, follow: false }, adminMetadata());
  for await (const item of stream) {
    if (item.event?.kind === kind) found.push(JSON.parse(item.event.details));
  }
  return found;
}
