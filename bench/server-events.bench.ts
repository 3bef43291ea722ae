// The server's event path, trigger queue → Watch → FIRED/PROCESSED/RESOLVED stored → run row committed, measured
// through the public API on a real server (process engine, TLS on loopback, a trigger in its own process):
//  - latency from the moment the trigger queues an event to the moment its run is committed and announced, p50/p99
//    over 10,000 events at a steady rate (target p99 ≤ 5 ms), on a warmed-up server: 3,000 events go through first
//    and their runs finish, so the figure is the steady state and not the JIT compiling the path or a run backlog;
//  - sustained events/s through one Watcher into stored events and runs (pipelines without tasks), beside the bare
//    Watch drain of the same trigger program (one outstanding Watch, as the Watcher keeps, with the same client),
//    measured in the same run: the rounds alternate bare drain and server, and the ratio of their medians is the
//    figure (target ≥ 0.8×), so it holds on a busy machine. The bare drain is measured with the plain grpc-js client
//    (the reference) and with the server's own Watch client, which costs less per call, so both ratios show; with the server's CPU, SQL statements and commits per
//    event (sql-counts.ts), which hold up better than rates while other work shares the machine;
//  - cold start to ready with the base triggers (target ≤ 1.5 s).
import { fileURLToPath } from "node:url";
import { WatchChannel } from "@gofer/kernel";
import { Run_RunState } from "@gofer/proto";
import { type BenchApi, startBenchServer } from "./bench-server.js";
import { printTable, quantile, type Row } from "./report.js";
import { countSql } from "./sql-counts.js";
import { startBenchTrigger } from "./trigger-process.js";

const flood = fileURLToPath(new URL("./fixtures/flood-trigger.ts", import.meta.url));
function pipeline(id: string, settings: Record<string, string>) {
  return {
    id,
    name: id,
    description: "",
    parallelism: 0n,
    tasks: [],
    triggers: [{ name: "flood", label: "l", settings }],
  };
}

/**
 * Events/s drained through Watch from the flood trigger on its own, one call outstanding (after a warm-up), with the
 * plain grpc-js client or with the server's own Watch client (WatchChannel) in this process.
 */
async function bareDrain(events: number, client: "grpc-js" | "server's"): Promise<number> {
  const trigger = await startBenchTrigger([process.execPath, "--import", "tsx", flood]);
  const channel = new WatchChannel({ address: trigger.address, key: trigger.key, certPem: trigger.certPem });
  const watch =
    client === "grpc-js" ? (s: AbortSignal) => trigger.client.watch(s) : (s: AbortSignal) => channel.watch(s);
  try {
    await trigger.client.subscribe({ namespaceId: "bench", pipelineId: "p", pipelineTriggerLabel: "l", config: {} });
    const signal = new AbortController().signal;
    for (let n = 0; n < 2_000; n++) await watch(signal);
    const t0 = performance.now();
    for (let n = 0; n < events; n++) await watch(signal);
    return (events * 1000) / (performance.now() - t0);
  } finally {
    channel.close();
    await trigger.stop();
  }
}

const median = (values: number[]) =>
  quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  );

/** Waits until the pipeline has `count` runs (and, with `complete`, the last of them is COMPLETE). */
async function runsCommitted(api: BenchApi, pipelineId: string, count: number, complete = false) {
  for (;;) {
    const ok = await api.getRun({ namespaceId: "default", pipelineId, id: BigInt(count) }).then(
      ({ run }) => !complete || run?.state === Run_RunState.COMPLETE,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Reads all of a pipeline's runs. Each run row's `started` is stamped inside the transaction that commits it, and its
 * variables carry the trigger's SENT_AT_MS, so nothing has to watch the server while it works (a follow stream would
 * load the server it measures).
 */
async function readRuns(api: BenchApi, pipelineId: string, count: number) {
  const runs = [];
  for (let offset = 0; offset < count; offset += 5_000) {
    runs.push(
      ...(await api.listRuns({ namespaceId: "default", pipelineId, offset: BigInt(offset), limit: 5_000n })).runs,
    );
  }
  return runs.map((run) => ({
    committedMs: Number(run.started),
    sentMs: Number(run.variables.find((v) => v.key === "SENT_AT_MS")?.value),
  }));
}

/** Waits until all `count` runs of the pipeline are COMPLETE. */
async function runsComplete(api: BenchApi, pipelineId: string, count: number) {
  for (;;) {
    const { runs } = await api.listRuns({ namespaceId: "default", pipelineId, offset: 0n, limit: 5_000n });
    if (runs.length >= count && runs.every((run) => run.state === Run_RunState.COMPLETE)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
}

const rows: Row[] = [];
{
  const { api, stop } = await startBenchServer({
    "triggers.image_map": JSON.stringify({ "bench/flood:latest": [process.execPath, "--import", "tsx", flood] }),
    run_parallelism_limit: 0,
  });
  await api.installTrigger({ name: "flood", image: "bench/flood:latest", user: "", pass: "", variables: {} });

  const WARM_UP_EVENTS = Math.min(5_000, Number(process.env.BENCH_WARM_UP_EVENTS ?? 3_000)); // one listRuns page
  await api.createPipeline({
    namespaceId: "default",
    pipelineConfig: pipeline("warm-up", { COUNT: String(WARM_UP_EVENTS) }),
  });
  await runsComplete(api, "warm-up", WARM_UP_EVENTS);

  const LATENCY_EVENTS = Number(process.env.BENCH_LATENCY_EVENTS ?? 10_000);
  // Below the sustained capacity, so the figure is the path's latency and not a queue's backlog.
  const LATENCY_RATE = Number(process.env.BENCH_LATENCY_RATE ?? 200);
  await api.createPipeline({
    namespaceId: "default",
    pipelineConfig: pipeline("latency", { COUNT: String(LATENCY_EVENTS), RATE: String(LATENCY_RATE) }),
  });
  // started has whole-ms resolution; SENT_AT_MS is fractional: the difference is accurate to ±1 ms.
  await runsCommitted(api, "latency", LATENCY_EVENTS);
  const latencies = (await readRuns(api, "latency", LATENCY_EVENTS))
    .map((r) => r.committedMs - r.sentMs)
    .sort((a, b) => a - b);
  rows.push({
    measure: `queued → run committed (${LATENCY_EVENTS.toLocaleString("en-US")} events at ${LATENCY_RATE}/s)`,
    "p50 ms": quantile(latencies, 0.5),
    "p99 ms": quantile(latencies, 0.99),
    "max ms": quantile(latencies, 1),
  });

  const FLOOD_EVENTS = Number(process.env.BENCH_FLOOD_EVENTS ?? 20_000);
  const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
  const bare: number[] = [];
  const bareLean: number[] = [];
  const served: number[] = [];
  const cpuPerEvent: number[] = [];
  const statementsPerEvent: number[] = [];
  const commitsPerEvent: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    bare.push(await bareDrain(FLOOD_EVENTS, "grpc-js"));
    bareLean.push(await bareDrain(FLOOD_EVENTS, "server's"));
    const pipelineId = `flood-${round}`;
    const cpu0 = process.cpuUsage();
    const sql = countSql();
    await api.createPipeline({
      namespaceId: "default",
      pipelineConfig: pipeline(pipelineId, { COUNT: String(FLOOD_EVENTS) }),
    });
    await runsCommitted(api, pipelineId, FLOOD_EVENTS, true);
    // Before reading the runs back: the listing is the benchmark's work, not the event path's.
    const cpu = process.cpuUsage(cpu0);
    cpuPerEvent.push((cpu.user + cpu.system) / 1000 / FLOOD_EVENTS);
    // Every statement of the server's while the events went through, their runs' start and completion included (the
    // completion poll's reads are the client's API calls: a handful per round).
    const { statements, commits } = sql();
    statementsPerEvent.push(statements / FLOOD_EVENTS);
    commitsPerEvent.push(commits / FLOOD_EVENTS);
    const flooded = (await readRuns(api, pipelineId, FLOOD_EVENTS)).map((r) => r.committedMs).sort((a, b) => a - b);
    const spanMs = (flooded.at(-1) ?? 0) - (flooded[0] ?? 0);
    served.push(((FLOOD_EVENTS - 1) * 1000) / spanMs);
  }
  const range = (values: number[]) => `${Math.round(Math.min(...values))}–${Math.round(Math.max(...values))}`;
  rows.push({
    measure: `bare Watch drain of the same trigger, one outstanding (${FLOOD_EVENTS.toLocaleString("en-US")} events, median of ${ROUNDS}: ${range(bare)})`,
    "events/s": Math.round(median(bare)),
  });
  rows.push({
    measure: `the same with the server's own Watch client, in this process (median of ${ROUNDS}: ${range(bareLean)})`,
    "events/s": Math.round(median(bareLean)),
  });
  rows.push({
    measure: `sustained, one Watcher into persisted runs, full queue (median of ${ROUNDS}: ${range(served)})`,
    "events/s": Math.round(median(served)),
    "server CPU ms/event": median(cpuPerEvent),
    "SQL statements/event": median(statementsPerEvent),
    "commits/event": median(commitsPerEvent),
    "× bare drain": median(served) / median(bare),
    "× bare drain, server's client": median(served) / median(bareLean),
  });
  await stop();
}

{
  const { api, startupMs, stop } = await startBenchServer({ "triggers.install_base_triggers": true });
  const triggers = (await api.listTriggers({})).triggers;
  rows.push({
    measure: `cold start to ready, base triggers (${triggers.map((t) => t.name).join(", ")}) running`,
    ms: startupMs,
  });
  await stop();
}

printTable("Server event path (process engine, TLS, loopback)", rows);
