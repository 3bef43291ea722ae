// Runs completed per second on the process engine, through the whole server: a one-task pipeline whose task exits at
// once (`sh -c true`), BENCH_RUNS runs (default 300) started by StartRun as fast as the client can send them, the
// pipeline unlimited (parallelism 0) and the server's run_parallelism_limit set per row. Each run goes PENDING →
// slot → RUNNING (task run stored) → process spawned, followed, logged, waited → COMPLETE.
//
// The rate comes from the server's own timestamps (first run created → last run ended), so how often this client
// polls for the end does not change the figure. The CPU figure counts this process from the first StartRun until the
// end is seen; the wait polls only the newest few runs (the queue is first in, first out) before one full check, so
// its own cost stays out of the figure.
//
// Each row names how the engine starts a task process: "launcher" (the task launcher, a long-lived /bin/sh that
// forks it) or "direct" (node's spawn, a fork of the server). The rows alternate on one machine in one run, so their
// ratio holds even on a busy machine. CPU moved off the server is shown, not hidden: the launcher's own CPU, and the
// CPU of its waiters and tasks (what /proc reports for the children it has reaped; tasks are counted there, and only
// there: the server+client column never counts a task).
import { Run_RunState, Run_RunStatus } from "@gofer/proto";
import { createServerLogger } from "@gofer/server";
import { systemClock } from "@gofer/trigger-sdk";
import { ProcessScheduler } from "../packages/server/src/scheduler/process-scheduler.js";
import { type BenchApi, oneTaskPipeline, startBenchServer } from "./bench-server.js";
import { printTable, quantile, type Row } from "./report.js";
import { countSql } from "./sql-counts.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 300);
const LIMITS = (process.env.BENCH_RUN_LIMITS ?? "8,1").split(",").map(Number);
const STARTS = (process.env.BENCH_TASK_START ?? "launcher,direct").split(",") as ("launcher" | "direct")[];
async function completedRuns(api: BenchApi, pipelineId: string, count: number) {
  for (;;) {
    const newest = (await api.listRuns({ namespaceId: "default", pipelineId, offset: 0n, limit: 10n })).runs;
    if (newest.every((run) => run.state === Run_RunState.COMPLETE)) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  for (;;) {
    const runs = (await api.listRuns({ namespaceId: "default", pipelineId, offset: 0n, limit: BigInt(count) })).runs;
    if (runs.length === count && runs.every((run) => run.state === Run_RunState.COMPLETE)) return runs;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function measure(runParallelismLimit: number, taskStart: "launcher" | "direct"): Promise<Row> {
  const scheduler = new ProcessScheduler({
    imageMap: {},
    clock: systemClock,
    logger: createServerLogger({ level: "error", pretty: true }),
    launcher: taskStart === "launcher",
  });
  const { api, stop } = await startBenchServer({ run_parallelism_limit: runParallelismLimit }, { scheduler });
  try {
    await api.createPipeline({ namespaceId: "default", pipelineConfig: oneTaskPipeline("quick") });
    // The launcher starts with the first task; a warm-up run makes it (and the pipeline's first run) not count.
    await api.startRun({ namespaceId: "default", pipelineId: "quick", variables: {}, initiator: undefined });
    await completedRuns(api, "quick", 1);
    const launcher0 = scheduler.launcherCpuUsageMs();
    const sqlSince = countSql();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: RUNS }, () =>
        api.startRun({ namespaceId: "default", pipelineId: "quick", variables: {}, initiator: undefined }),
      ),
    );
    const submittedMs = performance.now() - t0;
    const runs = (await completedRuns(api, "quick", RUNS + 1)).slice(0, RUNS); // newest first: not the warm-up
    const cpu = process.cpuUsage(cpu0);
    const sql = sqlSince();
    const launcher = scheduler.launcherCpuUsageMs();
    const firstCreated = Math.min(...runs.map((run) => Number(run.started)));
    const lastEnded = Math.max(...runs.map((run) => Number(run.ended)));
    const spanMs = lastEnded - firstCreated;
    const durations = runs.map((run) => Number(run.ended - run.started)).sort((a, b) => a - b);
    const perRun = (ms: number | undefined) => (ms === undefined ? "–" : ms / RUNS);
    return {
      "task start": taskStart,
      run_parallelism_limit: runParallelismLimit,
      runs: RUNS,
      failed: runs.filter((run) => run.status !== Run_RunStatus.SUCCESSFUL).length,
      "StartRun × N sent in ms": Math.round(submittedMs),
      "first created → last ended s": spanMs / 1000,
      "runs/s": Math.round((RUNS * 1000) / spanMs),
      "created → ended p50 ms": quantile(durations, 0.5),
      "server+client CPU ms/run (tasks not counted)": (cpu.user + cpu.system) / 1000 / RUNS,
      // The benchmark's own ListRuns polls are among them (two statements a poll, a few dozen polls a row).
      "SQL statements/run": sql.statements / RUNS,
      "commits/run": sql.commits / RUNS,
      "launcher's own CPU ms/run": perRun(launcher && launcher0 && launcher.ownMs - launcher0.ownMs),
      "launcher's waiters + tasks CPU ms/run": perRun(
        launcher && launcher0 && launcher.childrenMs - launcher0.childrenMs,
      ),
    };
  } finally {
    await stop();
  }
}

const rows: Row[] = [];
for (const limit of LIMITS) for (const start of STARTS) rows.push(await measure(limit, start));
printTable(`Runs completed per second, one-task pipeline (\`sh -c true\`), process engine, ${RUNS} runs at once`, rows);
