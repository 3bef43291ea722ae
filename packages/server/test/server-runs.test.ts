// Runs on a whole server: the process engine runs each task's command on this machine, and everything is seen the
// way a user sees it, through the gRPC API (runs, task runs, their logs). Tests wait for what the API shows and never
// sleep; order and timing are judged from the timestamps the server records (and how long a CancelRun call took).
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import {
  type CustomTaskConfig,
  GoferClient,
  type PipelineConfig,
  type PromiseClient,
  promiseClient,
  type Run,
  Run_RunState,
  Run_RunStatus,
  RunStatusReason_RunStatusReasonKind,
  type TaskRun,
  TaskRun_TaskRunState,
  TaskRun_TaskRunStatus,
  TaskRunStatusReason_Reason,
} from "@gofer/proto";
import * as grpc from "@grpc/grpc-js";
import { afterEach, describe, expect, test, vi } from "vitest";
import { startTestServer, type TestServer } from "./server-harness.js";

const WAIT = { timeout: 20_000, interval: 100 };
const NAMESPACE = "default";
const REPO_ROOT = fileURLToPath(new URL("../../..", import.meta.url));
/** The gofer command as users run it from the checkout (the bundle from `pnpm build` while it is fresh). */
const GOFER = fileURLToPath(new URL("../../cli/bin/gofer", import.meta.url));

type Api = PromiseClient<GoferClient>;
type ParentStatus = CustomTaskConfig["dependsOn"][string];
const ANY: ParentStatus = 1;
const SUCCESS: ParentStatus = 2;
const FAILURE: ParentStatus = 3;

let servers: TestServer[] = [];
/** Process groups of tasks a killed server left behind: the process engine cannot reach them any more. */
let leftoverGroups: number[] = [];
let children: ChildProcess[] = [];
/** Data directories made here rather than by the harness (a server process uses them first). */
let tempDirs: string[] = [];

afterEach(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  children = [];
  for (const pgid of leftoverGroups) {
    try {
      process.kill(-pgid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  leftoverGroups = [];
  await Promise.all(servers.map((s) => s.destroy()));
  servers = [];
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs = [];
});

async function start(options: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  const s = await startTestServer(options);
  servers.push(s);
  return s;
}

interface TaskInput {
  id: string;
  /** Run as `sh -c <script>`. */
  script: string;
  dependsOn?: Record<string, ParentStatus>;
  variables?: Record<string, string>;
}

function pipelineConfig(
  id: string,
  tasks: TaskInput[],
  options: { parallelism?: number; triggers?: PipelineConfig["triggers"] } = {},
): PipelineConfig {
  return {
    id,
    name: id,
    description: "",
    parallelism: BigInt(options.parallelism ?? 0),
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
    triggers: options.triggers ?? [],
  };
}

async function startRun(api: Api, pipelineId: string, variables: Record<string, string> = {}): Promise<Run> {
  const run = (await api.startRun({ namespaceId: NAMESPACE, pipelineId, variables, initiator: undefined })).run;
  if (!run) throw new Error(`StartRun of pipeline "${pipelineId}" returned no run`);
  return run;
}

async function getRun(api: Api, pipelineId: string, id: bigint): Promise<Run> {
  return (await api.getRun({ namespaceId: NAMESPACE, pipelineId, id })).run as Run;
}

async function completedRun(api: Api, pipelineId: string, id: bigint): Promise<Run> {
  return vi.waitFor(async () => {
    const run = await getRun(api, pipelineId, id);
    expect(run.state).toBe(Run_RunState.COMPLETE);
    return run;
  }, WAIT);
}

async function taskRuns(api: Api, pipelineId: string, runId: bigint): Promise<Record<string, TaskRun>> {
  const list = (await api.listTaskRuns({ namespaceId: NAMESPACE, pipelineId, runId })).taskRuns;
  return Object.fromEntries(list.map((taskRun) => [taskRun.id, taskRun]));
}

async function runningTaskRun(api: Api, pipelineId: string, runId: bigint, id: string): Promise<TaskRun> {
  return vi.waitFor(async () => {
    const taskRun = (await api.getTaskRun({ namespaceId: NAMESPACE, pipelineId, runId, id })).taskRun as TaskRun;
    expect(taskRun.state).toBe(TaskRun_TaskRunState.RUNNING);
    return taskRun;
  }, WAIT);
}

/** Follows a task run's log as `gofer taskrun logs` does; the stream ends once the task run's output is complete. */
function followLogs(client: GoferClient, pipelineId: string, runId: bigint, id: string) {
  return client.getTaskRunLogs({ namespaceId: NAMESPACE, pipelineId, runId, id }, new grpc.Metadata(), {
    deadline: new Date(Date.now() + 30_000),
  });
}

async function logLines(client: GoferClient, pipelineId: string, runId: bigint, id: string): Promise<string[]> {
  const lines: string[] = [];
  for await (const item of followLogs(client, pipelineId, runId, id)) lines.push(item.logLine);
  return lines;
}

/** The first line a running task prints, read from its live log. */
async function firstLogLine(client: GoferClient, pipelineId: string, runId: bigint, id: string): Promise<string> {
  const stream = followLogs(client, pipelineId, runId, id);
  for await (const item of stream) {
    stream.cancel();
    return item.logLine;
  }
  throw new Error(`task run "${id}" of run ${runId} ended without printing`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("a three-task DAG", () => {
  // build → deploy on SUCCESS; report on build's FAILURE and on deploy with ANY outcome (SKIPPED counts).
  const DAG: TaskInput[] = [
    { id: "build", script: 'exit "$BUILD_EXIT"' },
    { id: "deploy", script: "echo deploying", dependsOn: { build: SUCCESS } },
    { id: "report", script: "echo reporting", dependsOn: { build: FAILURE, deploy: ANY } },
  ];

  test("a failing parent skips its SUCCESS child, runs its FAILURE child, and the run ends FAILED", async () => {
    const s = await start();
    await s.api.createPipeline({ namespaceId: NAMESPACE, pipelineConfig: pipelineConfig("dag", DAG) });
    const { id } = await startRun(s.api, "dag", { BUILD_EXIT: "3" });

    const run = await completedRun(s.api, "dag", id);
    expect(run.status).toBe(Run_RunStatus.FAILED);
    expect(run.statusReason).toEqual({
      reason: RunStatusReason_RunStatusReasonKind.ABNORMAL_EXIT,
      description: 'Task run "build" failed: Task run exited with abnormal exit code 3',
    });
    const { build, deploy, report } = await taskRuns(s.api, "dag", id);
    expect(build).toMatchObject({ status: TaskRun_TaskRunStatus.FAILED, exitCode: 3n });
    expect(deploy).toMatchObject({
      status: TaskRun_TaskRunStatus.SKIPPED,
      started: 0n,
      statusReason: {
        reason: TaskRunStatusReason_Reason.FAILED_PRECONDITION,
        description: 'Task could not be run due to unmet dependencies; parent "build" ended FAILED, required SUCCESS',
      },
    });
    expect(report).toMatchObject({ status: TaskRun_TaskRunStatus.SUCCESSFUL, exitCode: 0n });
    expect(report?.started).toBeGreaterThanOrEqual(build?.ended ?? Number.POSITIVE_INFINITY);
    expect(await logLines(s.client, "dag", id, "report")).toEqual(["reporting"]);
  });

  test("a passing parent runs its SUCCESS child, skips its FAILURE child, and the run ends SUCCESSFUL", async () => {
    const s = await start();
    await s.api.createPipeline({ namespaceId: NAMESPACE, pipelineConfig: pipelineConfig("dag", DAG) });
    const { id } = await startRun(s.api, "dag", { BUILD_EXIT: "0" });

    const run = await completedRun(s.api, "dag", id);
    expect(run.status).toBe(Run_RunStatus.SUCCESSFUL);
    expect(run.statusReason).toBeUndefined();
    const { build, deploy, report } = await taskRuns(s.api, "dag", id);
    const second = await startRun(s.api, "dag", { BUILD_EXIT: "0" });
    await completedRun(s.api, "dag", second.id);
    // ListRuns names each run's task runs (read for the whole page at once), in creation order.
    const listed = (await s.api.listRuns({ namespaceId: NAMESPACE, pipelineId: "dag", offset: 0n, limit: 0n })).runs;
    expect(listed.map((r) => [r.id, r.taskRuns])).toEqual([
      [second.id, ["build", "deploy", "report"]],
      [id, ["build", "deploy", "report"]],
    ]);
    expect(build?.status).toBe(TaskRun_TaskRunStatus.SUCCESSFUL);
    expect(deploy?.status).toBe(TaskRun_TaskRunStatus.SUCCESSFUL);
    expect(deploy?.started).toBeGreaterThanOrEqual(build?.ended ?? Number.POSITIVE_INFINITY);
    expect(report).toMatchObject({
      status: TaskRun_TaskRunStatus.SKIPPED,
      statusReason: {
        reason: TaskRunStatusReason_Reason.FAILED_PRECONDITION,
        description:
          'Task could not be run due to unmet dependencies; parent "build" ended SUCCESSFUL, required FAILURE',
      },
    });
    expect(await logLines(s.client, "dag", id, "deploy")).toEqual(["deploying"]);
  });
});

test("a task's environment has system < pipeline config < StartRun variables", async () => {
  const s = await start();
  const keys = ["GOFER_NAMESPACE_ID", "GOFER_PIPELINE_ID", "GOFER_RUN_ID", "GOFER_TASK_ID", "GOFER_TASK_IMAGE"];
  const shown = [...keys, "CONFIG_ONLY", "RUN_ONLY", "SHARED"];
  await s.api.createPipeline({
    namespaceId: NAMESPACE,
    pipelineConfig: pipelineConfig("vars", [
      {
        id: "show",
        script: shown.map((key) => `echo "${key}=$${key}"`).join("; "),
        variables: {
          CONFIG_ONLY: "from config",
          SHARED: "from config",
          GOFER_PIPELINE_ID: "config beats system",
          GOFER_TASK_IMAGE: "config beats system",
        },
      },
    ]),
  });
  const run = await startRun(s.api, "vars", {
    RUN_ONLY: "from run",
    SHARED: "from run",
    GOFER_TASK_IMAGE: "run beats config",
  });
  expect([...run.variables].sort((a, b) => a.key.localeCompare(b.key))).toEqual([
    { key: "GOFER_TASK_IMAGE", value: "run beats config", source: "RUN_OPTIONS" },
    { key: "RUN_ONLY", value: "from run", source: "RUN_OPTIONS" },
    { key: "SHARED", value: "from run", source: "RUN_OPTIONS" },
  ]);

  expect((await completedRun(s.api, "vars", run.id)).status).toBe(Run_RunStatus.SUCCESSFUL);
  expect(await logLines(s.client, "vars", run.id, "show")).toEqual([
    "GOFER_NAMESPACE_ID=default",
    "GOFER_PIPELINE_ID=config beats system",
    `GOFER_RUN_ID=${run.id}`,
    "GOFER_TASK_ID=show",
    "GOFER_TASK_IMAGE=run beats config",
    "CONFIG_ONLY=from config",
    "RUN_ONLY=from run",
    "SHARED=from run",
  ]);
  // GetTaskRun names the source that won for each key.
  expect((await taskRuns(s.api, "vars", run.id)).show?.variables).toEqual([
    { key: "CONFIG_ONLY", value: "from config", source: "PIPELINE_CONFIG" },
    { key: "GOFER_NAMESPACE_ID", value: "default", source: "SYSTEM" },
    { key: "GOFER_PIPELINE_ID", value: "config beats system", source: "PIPELINE_CONFIG" },
    { key: "GOFER_RUN_ID", value: String(run.id), source: "SYSTEM" },
    { key: "GOFER_TASK_ID", value: "show", source: "SYSTEM" },
    { key: "GOFER_TASK_IMAGE", value: "run beats config", source: "RUN_OPTIONS" },
    { key: "RUN_ONLY", value: "from run", source: "RUN_OPTIONS" },
    { key: "SHARED", value: "from run", source: "RUN_OPTIONS" },
  ]);
});

test("with parallelism 1, runs from three trigger events execute one after the other and all complete", async () => {
  const s = await start();
  await s.api.installTrigger({
    name: "interval",
    image: "gofer-trigger-interval:latest",
    user: "",
    pass: "",
    variables: { MIN_DURATION: "100ms" },
  });
  // Each run takes twice the trigger's period, so every event arrives while the previous run still executes.
  await s.api.createPipeline({
    namespaceId: NAMESPACE,
    pipelineConfig: pipelineConfig("serial", [{ id: "work", script: "sleep 0.5" }], {
      parallelism: 1,
      triggers: [{ name: "interval", label: "every", settings: { EVERY: "250ms" } }],
    }),
  });
  const listRuns = async () =>
    (await s.api.listRuns({ namespaceId: NAMESPACE, pipelineId: "serial", offset: 0n, limit: 0n })).runs;
  await vi.waitFor(async () => expect((await listRuns()).length).toBeGreaterThanOrEqual(3), WAIT);
  // Events of a disabled pipeline start no runs; the runs already made go on.
  await s.api.disablePipeline({ namespaceId: NAMESPACE, id: "serial" });

  const runs = await vi.waitFor(
    async () => {
      const all = await listRuns();
      expect(all.map((run) => run.state)).toEqual(all.map(() => Run_RunState.COMPLETE));
      return all;
    },
    { timeout: 40_000, interval: 200 },
  );
  runs.sort((a, b) => Number(a.id - b.id));
  expect(runs.length).toBeGreaterThanOrEqual(3);
  expect(runs.map((run) => run.trigger)).toEqual(runs.map(() => ({ name: "interval", label: "every" })));
  expect(runs.map((run) => run.status)).toEqual(runs.map(() => Run_RunStatus.SUCCESSFUL));

  const work = await Promise.all(runs.map(async (run) => (await taskRuns(s.api, "serial", run.id)).work as TaskRun));
  for (let i = 1; i < runs.length; i += 1) {
    const previous = runs[i - 1] as Run;
    // The run waited: it was made while the one before still ran, and its task started only after that one ended.
    expect((runs[i] as Run).started).toBeLessThan(previous.ended);
    expect((work[i] as TaskRun).started).toBeGreaterThanOrEqual(previous.ended);
  }
});

describe("cancelling a long task", () => {
  const STOP_TIMEOUT_MS = 1_000;

  test.each([
    ["a task that exits on SIGTERM ends CANCELLED without waiting for the kill", 'echo "ready $$"; sleep 300', 143],
    [
      "a task that ignores SIGTERM is killed at the stop timeout and ends CANCELLED",
      // The ignored signal is inherited by sleep too, so only the kill ends them.
      'trap "" TERM; echo "ready $$"; sleep 300',
      137,
    ],
  ])("%s", async (_what, script, exitCode) => {
    const s = await start({ set: { task_execution_stop_timeout: `${STOP_TIMEOUT_MS}ms` } });
    await s.api.createPipeline({
      namespaceId: NAMESPACE,
      pipelineConfig: pipelineConfig("long", [
        { id: "hold", script },
        { id: "next", script: "echo never", dependsOn: { hold: ANY } },
      ]),
    });
    const { id } = await startRun(s.api, "long");
    await runningTaskRun(s.api, "long", id, "hold");
    const ready = await firstLogLine(s.client, "long", id, "hold");
    const pid = Number(/^ready (\d+)$/.exec(ready)?.[1]);
    expect(isAlive(pid)).toBe(true);

    const t0 = performance.now();
    // CancelRun returns once the run is COMPLETE.
    await s.api.cancelRun({ namespaceId: NAMESPACE, pipelineId: "long", runId: id, force: false });
    const cancelMs = performance.now() - t0;

    expect(cancelMs).toBeLessThan(STOP_TIMEOUT_MS + 3_000);
    if (exitCode === 137) expect(cancelMs).toBeGreaterThanOrEqual(STOP_TIMEOUT_MS - 100);
    const run = await getRun(s.api, "long", id);
    expect(run).toMatchObject({
      state: Run_RunState.COMPLETE,
      status: Run_RunStatus.CANCELLED,
      statusReason: {
        reason: RunStatusReason_RunStatusReasonKind.USER_CANCELLED,
        description: "Run was cancelled by a user",
      },
    });
    const { hold, next } = await taskRuns(s.api, "long", id);
    expect(hold).toMatchObject({
      state: TaskRun_TaskRunState.COMPLETE,
      status: TaskRun_TaskRunStatus.CANCELLED,
      exitCode: BigInt(exitCode),
      statusReason: {
        reason: TaskRunStatusReason_Reason.CANCELLED,
        description: `Task run was cancelled (exit code ${exitCode})`,
      },
    });
    expect(next).toMatchObject({ status: TaskRun_TaskRunStatus.CANCELLED, started: 0n });
    // The shell is gone (its sleep got the same signal: stop() signals the whole process group).
    expect(isAlive(pid)).toBe(false);
  });
});

test("logs stream while the task prints, line by line, and the stream ends with the task", async () => {
  const s = await start();
  // The task prints one line, then waits for the test to have read it before printing the next.
  await s.api.createPipeline({
    namespaceId: NAMESPACE,
    pipelineConfig: pipelineConfig("chatty", [
      {
        id: "talk",
        script: 'echo first; while [ ! -e "$GATE" ]; do sleep 0.05; done; echo second; echo third',
      },
    ]),
  });
  const gate = join(s.dir, "gate");
  const { id } = await startRun(s.api, "chatty", { GATE: gate });
  await runningTaskRun(s.api, "chatty", id, "talk");

  const lines = followLogs(s.client, "chatty", id, "talk")[Symbol.asyncIterator]();
  const first = await lines.next();
  expect(first.value).toMatchObject({ logLine: "first", lineNum: 1n });
  // Still running: the line came while the task printed, not from a finished file.
  expect((await taskRuns(s.api, "chatty", id)).talk?.state).toBe(TaskRun_TaskRunState.RUNNING);

  writeFileSync(gate, "");
  const rest: Array<{ logLine: string; lineNum: bigint }> = [];
  for (let next = await lines.next(); !next.done; next = await lines.next()) rest.push(next.value);
  expect(rest).toEqual([
    { logLine: "second", lineNum: 2n },
    { logLine: "third", lineNum: 3n },
  ]);
  expect((await completedRun(s.api, "chatty", id)).status).toBe(Run_RunStatus.SUCCESSFUL);
});

describe("a server killed mid-run", () => {
  /** `gofer service start` in its own process, on the data directory the in-process server reuses afterwards. */
  async function startServerProcess(dir: string): Promise<{ child: ChildProcess; api: Api; client: GoferClient }> {
    const configPath = join(dir, "gofer.toml");
    const toml = (value: string) => JSON.stringify(value);
    writeFileSync(
      configPath,
      [
        `log_level = "info"`,
        `task_execution_logs_dir = ${toml(join(dir, "logs"))}`,
        "[server]",
        `host = "127.0.0.1:0"`,
        `storage_path = ${toml(join(dir, "gofer.db"))}`,
        "[scheduler]",
        `engine = "process"`,
        "[triggers]",
        "install_base_triggers = false",
        "[external_events_api]",
        "enable = false",
        "[development]",
        "bypass_auth = true",
        "use_localhost_tls = true",
        "default_encryption = true",
        "",
      ].join("\n"),
    );
    const child = spawn(GOFER, ["service", "start", "--config", configPath], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir },
      stdio: ["ignore", "ignore", "pipe"],
    });
    children.push(child);
    const output: string[] = [];
    // The server logs JSON lines to stderr; this one says where it listens.
    const address = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stderr as NodeJS.ReadableStream }).on("line", (line) => {
        output.push(line);
        try {
          const entry = JSON.parse(line) as { message?: string; address?: string };
          if (entry.message === "gofer api listening" && entry.address) resolve(entry.address);
        } catch {
          // not a log entry
        }
      });
      child.once("exit", (code, signal) =>
        reject(new Error(`gofer service start exited (${code ?? signal}) before listening:\n${output.join("\n")}`)),
      );
    });
    const cert = readFileSync(join(dir, "api-cert.pem"));
    const client = new GoferClient(
      address,
      grpc.credentials.createSsl(cert, null, null, { checkServerIdentity: () => undefined }),
      { "grpc.ssl_target_name_override": "localhost" },
    );
    return { child, client, api: promiseClient(client) };
  }

  test("restarting repairs the orphaned run: FAILED with an ORPHANED task run, and the DAG goes on", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gofer-test-"));
    tempDirs.push(dir);
    const first = await startServerProcess(dir);
    await first.api.createPipeline({
      namespaceId: NAMESPACE,
      pipelineConfig: pipelineConfig("orphan", [
        { id: "long", script: 'echo "started $$"; sleep 300' },
        { id: "after", script: "echo after", dependsOn: { long: ANY } },
      ]),
    });
    const { id } = await startRun(first.api, "orphan");
    await runningTaskRun(first.api, "orphan", id, "long");
    const pid = Number(/^started (\d+)$/.exec(await firstLogLine(first.client, "orphan", id, "long"))?.[1]);
    expect(pid).toBeGreaterThan(0);
    leftoverGroups.push(pid);

    const exited = new Promise((resolve) => first.child.once("exit", resolve));
    first.child.kill("SIGKILL");
    await exited;
    first.client.close();

    const s = await start({ dir });
    const run = await completedRun(s.api, "orphan", id);
    expect(run.status).toBe(Run_RunStatus.FAILED);
    expect(run.statusReason?.reason).toBe(RunStatusReason_RunStatusReasonKind.SCHEDULER_ERROR);
    expect(run.statusReason?.description).toMatch(
      /^Task run "long" failed: Task run was left RUNNING and the process scheduler no longer knows its container "proc-\d+-task\.default\.orphan\.1\.long"$/,
    );
    const { long, after } = await taskRuns(s.api, "orphan", id);
    expect(long).toMatchObject({
      state: TaskRun_TaskRunState.COMPLETE,
      status: TaskRun_TaskRunStatus.FAILED,
      statusReason: { reason: TaskRunStatusReason_Reason.ORPHANED },
    });
    expect(after?.status).toBe(TaskRun_TaskRunStatus.SUCCESSFUL);
    expect(await logLines(s.client, "orphan", id, "after")).toEqual(["after"]);
    // What the old server printed before it died is still readable.
    expect(await logLines(s.client, "orphan", id, "long")).toEqual([`started ${pid}`]);
  });
});
