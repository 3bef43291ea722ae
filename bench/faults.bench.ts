// `pnpm bench faults`: faults an operator meets, each on a server in its own process (process engine), with a table:
// case → time to detect, time to recover, events lost, duplicate runs, orphans left.
//   - kill -9 of the server under load (20 pipelines × every 1 s): recover = restart until a new run completes
//   - kill -9 of the interval trigger: detect = the trigger shows not RUNNING; recover = RUNNING again and a new run
//   - SIGSTOP of the interval trigger: detect = the UNHEALTHY_TRIGGER event; recover = RUNNING again and a new run
//   - a task that ignores SIGTERM, server stopped (shutdown_timeout 3 s): recover = the server's exit
// Events lost = FIRED events without their RESOLVED event; duplicate runs = runs beyond the events that made one;
// orphans = processes marked with the server's instance id still alive once it stopped.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Event } from "@gofer/proto";
import { INSTANCE_ENV, pidsWithEnv } from "../packages/server/src/scheduler/process-scheduler.js";
import {
  type ChildServer,
  intervalPipeline,
  pidListeningOn,
  startChildServer,
} from "../packages/server/test/server-harness.js";
import { printTable, type Row } from "./report.js";

const PIPELINES = Number(process.env.FAULTS_PIPELINES ?? 20);

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function events(s: ChildServer): Promise<Event[]> {
  const out: Event[] = [];
  for await (const item of s.client.listEvents({ reverse: false, follow: false })) out.push(item.event as Event);
  return out;
}

async function completedRuns(s: ChildServer): Promise<number> {
  return (await events(s)).filter((e) => e.kind === "COMPLETED_RUN").length;
}

async function setUp(s: ChildServer, task = ["true"]) {
  await s.api.installTrigger({
    name: "interval",
    image: "gofer-trigger-interval:latest",
    user: "",
    pass: "",
    variables: { MIN_DURATION: "1s" },
  });
  for (let i = 0; i < PIPELINES; i++) {
    const pipeline = intervalPipeline(`p${i}`);
    const t = pipeline.tasks[0]?.task;
    if (t?.$case === "customTask") t.value.command = task;
    const settings: Record<string, string> = { EVERY: "1s", overlap: "allow" };
    const config = { ...pipeline, triggers: [{ name: "interval", label: "every", settings }] };
    await s.api.createPipeline({ namespaceId: "default", pipelineConfig: config });
  }
}

/** Events lost and duplicate runs, from the event log and the runs of every pipeline. */
async function ledger(s: ChildServer): Promise<{ lost: number; duplicates: number; fired: number }> {
  // Runs first, events after: every run counted was made by an event that the later read sees.
  let runs = 0;
  for (let i = 0; i < PIPELINES; i++) {
    runs += (await s.api.listRuns({ offset: 0n, limit: 0n, namespaceId: "default", pipelineId: `p${i}` })).runs.length;
  }
  const all = await events(s);
  const fired = all.filter((e) => e.kind === "FIRED_TRIGGER_EVENT").length;
  const resolved = all.filter((e) => e.kind === "RESOLVED_TRIGGER_EVENT");
  const madeRuns = resolved.filter(
    (e) => (JSON.parse(e.details) as { result: { state: string } }).result.state === "SUCCESS",
  ).length;
  return { lost: fired - resolved.length, duplicates: Math.max(0, runs - madeRuns), fired };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return readFileSync(`/proc/${pid}/cmdline`, "utf8") !== "";
  } catch {
    return false;
  }
};

async function orphansAfterStop(s: ChildServer): Promise<number> {
  await s.kill("SIGTERM");
  await new Promise((resolve) => setTimeout(resolve, 1_500)); // triggers notice their parent is gone within ~1 s
  return pidsWithEnv(INSTANCE_ENV, s.instanceId).filter(alive).length;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const rows: Row[] = [];
const dirs: string[] = [];
const fresh = () => {
  const dir = mkdtempSync(join(tmpdir(), "gofer-faults-"));
  dirs.push(dir);
  return dir;
};

try {
  // 1. kill -9 of the server under load.
  {
    const dir = fresh();
    const first = await startChildServer(dir);
    await setUp(first);
    await until("runs", async () => ((await completedRuns(first)) >= PIPELINES * 3 ? true : undefined));
    await first.kill("SIGKILL");
    const t0 = performance.now();
    const second = await startChildServer(dir);
    const before = await completedRuns(second);
    await until("a run after the restart", async () => ((await completedRuns(second)) > before ? true : undefined));
    const recovered = performance.now() - t0;
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const { lost, duplicates, fired } = await ledger(second);
    rows.push({
      case: `kill -9 of the server under load (${PIPELINES} pipelines × 1 s; ${fired} events)`,
      "time to detect": "- (restart)",
      "time to recover": seconds(recovered),
      "events lost": lost,
      "duplicate runs": duplicates,
      "orphans left": await orphansAfterStop(second),
    });
  }
  // 2 and 3. kill -9 and SIGSTOP of the trigger.
  for (const signal of ["SIGKILL", "SIGSTOP"] as const) {
    const s = await startChildServer(fresh(), "process", {
      "triggers.liveness_interval": "2s",
      "triggers.liveness_timeout": "2s",
      "triggers.liveness_misses": 3,
    });
    await setUp(s);
    await until("runs", async () => ((await completedRuns(s)) >= PIPELINES ? true : undefined));
    const url = (await s.api.getTrigger({ name: "interval" })).trigger?.url as string;
    const pid = pidListeningOn(Number(url.split(":")[1])) as number;
    process.kill(pid, signal);
    const t0 = performance.now();
    let detectedMs: number;
    if (signal === "SIGKILL") {
      await until("the trigger shown not running", async () =>
        (await s.api.getTrigger({ name: "interval" })).trigger?.url !== url ? true : undefined,
      );
      detectedMs = performance.now() - t0;
    } else {
      const wall = Date.now();
      const unhealthy = await until("an UNHEALTHY_TRIGGER event", async () =>
        (await events(s)).find((e) => e.kind === "UNHEALTHY_TRIGGER"),
      );
      detectedMs = Number(unhealthy.emitted) - wall + (performance.now() - t0 - (Date.now() - wall));
    }
    await until("the trigger running again", async () => {
      const trigger = (await s.api.getTrigger({ name: "interval" })).trigger;
      return trigger?.url && trigger.url !== url && trigger.state === 2 ? true : undefined;
    });
    const before = await completedRuns(s);
    await until("a run after the restart", async () => ((await completedRuns(s)) > before ? true : undefined));
    const recovered = performance.now() - t0;
    const { lost, duplicates } = await ledger(s);
    const orphans = (await orphansAfterStop(s)) + (alive(pid) ? 1 : 0);
    rows.push({
      case: signal === "SIGKILL" ? "kill -9 of the interval trigger" : "SIGSTOP of the interval trigger (hung)",
      "time to detect": seconds(detectedMs),
      "time to recover": seconds(recovered),
      "events lost": lost,
      "duplicate runs": duplicates,
      "orphans left": orphans,
    });
  }
  // 4. A task that ignores SIGTERM when the server stops.
  {
    const s = await startChildServer(fresh(), "process", {
      "server.shutdown_timeout": "3s",
      task_execution_stop_timeout: "5m",
    });
    await setUp(s, ["sh", "-c", "trap '' TERM; while true; do sleep 0.2; done"]);
    await until("tasks running", async () =>
      pidsWithEnv(INSTANCE_ENV, s.instanceId).filter((p) => readFileSync(`/proc/${p}/cmdline`, "utf8").includes("trap"))
        .length > 0
        ? true
        : undefined,
    );
    const { lost, duplicates } = await ledger(s);
    const t0 = performance.now();
    const orphans = await orphansAfterStop(s);
    rows.push({
      case: "tasks that ignore SIGTERM, server stopped (shutdown_timeout 3 s, task stop timeout 5 m)",
      "time to detect": "-",
      "time to recover": `${seconds(performance.now() - t0 - 1_500)} (server exited)`,
      "events lost": lost,
      "duplicate runs": duplicates,
      "orphans left": orphans,
    });
  }
} finally {
  printTable("Faults (process engine, server in its own process)", rows);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}
