// Scheduling overhead per task on the process engine: from a run's creation (PENDING, the run's `started`) to its
// task's process being started (the task run's `started`, stamped once the process has spawned), p50/p99 over
// BENCH_SCHEDULING_RUNS runs (default 200) of a one-task pipeline (`sh -c true`). Split at the task run's `created`
// (the run leaving PENDING: slot taken, pipeline read, task runs stored): before it is the queue, after it the DAG
// step and the spawn.
//
// Closed loops keep 1 and then 8 runs in flight, with no parallelism limit, so no run waits for a slot: what is
// measured is the server's own overhead, not queueing. Completions are heard on one ListEvents follow stream rather
// than by polling, which would load the server being measured. Timestamps are whole milliseconds (±1 ms).
import type { GoferClient } from "@gofer/proto";
import { Run_RunStatus } from "@gofer/proto";
import { oneTaskPipeline, startBenchServer } from "./bench-server.js";
import { printTable, quantile, type Row } from "./report.js";

const RUNS = Number(process.env.BENCH_SCHEDULING_RUNS ?? 200);
const IN_FLIGHT = (process.env.BENCH_SCHEDULING_IN_FLIGHT ?? "1,8").split(",").map(Number);
/** Resolves `completion(pipelineId, runId)` when COMPLETED_RUN for that run is heard (before or after the ask). */
function followCompletions(client: GoferClient) {
  const stream = client.listEvents({ reverse: false, follow: true });
  const completed = new Set<string>();
  const waiting = new Map<string, () => void>();
  stream.on("data", (response: { event?: { kind: string; details: string } }) => {
    if (response.event?.kind !== "COMPLETED_RUN") return;
    const details = JSON.parse(response.event.details) as { pipeline_id: string; run_id: number };
    const key = `${details.pipeline_id}/${details.run_id}`;
    completed.add(key);
    waiting.get(key)?.();
    waiting.delete(key);
  });
  stream.on("error", () => {}); // cancelled at the end
  return {
    completion(pipelineId: string, runId: bigint): Promise<void> {
      const key = `${pipelineId}/${runId}`;
      if (completed.has(key)) return Promise.resolve();
      return new Promise((resolve) => waiting.set(key, resolve));
    },
    close: () => stream.cancel(),
  };
}

const rows: Row[] = [];
const { client, api, stop } = await startBenchServer({ run_parallelism_limit: 0 });
const completions = followCompletions(client);
try {
  for (const inFlight of IN_FLIGHT) {
    const pipelineId = `in_flight_${inFlight}`;
    await api.createPipeline({ namespaceId: "default", pipelineConfig: oneTaskPipeline(pipelineId) });
    let started = 0;
    const worker = async () => {
      while (started < RUNS) {
        started += 1;
        const run = (await api.startRun({ namespaceId: "default", pipelineId, variables: {}, initiator: undefined }))
          .run;
        await completions.completion(pipelineId, run?.id ?? 0n);
      }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));

    const runs = (await api.listRuns({ namespaceId: "default", pipelineId, offset: 0n, limit: BigInt(RUNS) })).runs;
    const samples = await Promise.all(
      runs.map(async (run) => {
        const taskRun = (await api.getTaskRun({ namespaceId: "default", pipelineId, runId: run.id, id: "quick" }))
          .taskRun;
        return {
          failed: run.status !== Run_RunStatus.SUCCESSFUL,
          queuedMs: Number((taskRun?.created ?? 0n) - run.started),
          spawnMs: Number((taskRun?.started ?? 0n) - (taskRun?.created ?? 0n)),
          totalMs: Number((taskRun?.started ?? 0n) - run.started),
        };
      }),
    );
    const failed = samples.filter((s) => s.failed).length;
    const measures = [
      ["run PENDING → task process started", "totalMs"],
      ["of which PENDING → RUNNING (slot, task runs stored)", "queuedMs"],
      ["of which RUNNING → task process started", "spawnMs"],
    ] as const;
    for (const [measure, field] of measures) {
      const sorted = samples.map((s) => s[field]).sort((a, b) => a - b);
      rows.push({
        "runs in flight": inFlight,
        measure,
        runs: samples.length,
        failed,
        "p50 ms": quantile(sorted, 0.5),
        "p99 ms": quantile(sorted, 0.99),
        "max ms": quantile(sorted, 1),
      });
    }
  }
} finally {
  completions.close();
  await stop();
}

printTable(
  "Scheduling overhead per task, one-task pipeline (`sh -c true`), process engine, no parallelism limit",
  rows,
);
