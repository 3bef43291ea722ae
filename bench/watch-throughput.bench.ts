// Events/s drained through Watch from the real interval trigger program while its queue is full, with one and with
// four outstanding Watch calls, over TLS on loopback, and the latency of each call. The trigger runs pinned to one
// core, this client (the plain grpc-js client) on the other.
//
//   pnpm bench watch-throughput [-- --compare "<command>"] [--rounds 3] [--events 20000] [--subscriptions 10]
//
// --compare runs another interval trigger program (for example the original v0.4.1 Go binary: `./trigger` as it is
// started in its image) beside ours, round by round in alternating order, and prints ours / theirs. Without it, the
// original's figures from issue 19 are the reference. The queue is kept full by --subscriptions subscriptions with
// EVERY=1ms (MIN_DURATION=1ms, set both bare and as GOFER_PLUGIN_CONFIG_MIN_DURATION so either program reads it).
// `--compare "node bench/fixtures/one-write-trigger.mjs"` puts the least a server can do beside ours: the floor that
// this client and machine allow, to tell the trigger's share of a gap from the client's.

import {
  formatSpread,
  numberOption,
  type Program,
  pinClient,
  programs,
  ratio,
  readOptions,
  roundOrder,
  spread,
} from "./compare.js";
import { ORIGINAL_V041 } from "./original-figures.js";
import { printTable, quantile, type Row } from "./report.js";
import { type BenchTrigger, startBenchTrigger } from "./trigger-process.js";

const options = readOptions(process.argv.slice(2));
const ROUNDS = numberOption(options, "rounds", 3);
const EVENTS = numberOption(options, "events", 20_000);
const SUBSCRIPTIONS = numberOption(options, "subscriptions", 10);
const OUTSTANDING = [1, 4];
const triggerCpu = pinClient(options);
const under = programs("interval", options.get("compare"));

interface Drain {
  eventsPerSecond: number;
  /** The trigger's CPU time per event: unlike events/s, it holds on a machine that is busy with other work. */
  cpuUsPerEvent: number;
  /**
   * This client's CPU time per event. With one outstanding call the drain is a chain of round trips, so the client's
   * share bounds the rate whatever the trigger does; it also shows what a trigger's answers cost the client (an
   * answer split over several TLS records costs it more).
   */
  clientCpuUsPerEvent: number;
  p50Ms: number;
  p99Ms: number;
}

async function drain(trigger: BenchTrigger, outstanding: number, events: number): Promise<Drain> {
  const latenciesMs: number[] = [];
  let remaining = events;
  let empty = 0;
  const worker = async () => {
    const signal = new AbortController().signal;
    while (remaining-- > 0) {
      const t0 = performance.now();
      const response = await trigger.client.watch(signal);
      latenciesMs.push(performance.now() - t0);
      if (response.pipelineTriggerLabel === "") empty++;
    }
  };
  const t0 = performance.now();
  const cpu0 = trigger.cpuMs();
  const clientCpu0 = process.cpuUsage();
  await Promise.all(Array.from({ length: outstanding }, worker));
  const seconds = (performance.now() - t0) / 1000;
  const cpuUsPerEvent = ((trigger.cpuMs() - cpu0) * 1000) / events;
  const clientCpu = process.cpuUsage(clientCpu0);
  const clientCpuUsPerEvent = (clientCpu.user + clientCpu.system) / events;
  if (empty > 0) throw new Error(`${empty} Watch calls came back empty: the trigger stopped`);
  const sorted = latenciesMs.sort((a, b) => a - b);
  return {
    eventsPerSecond: events / seconds,
    cpuUsPerEvent,
    clientCpuUsPerEvent,
    p50Ms: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
  };
}

async function measure(program: Program): Promise<Map<number, Drain>> {
  const env = { MIN_DURATION: "1ms", GOFER_PLUGIN_CONFIG_MIN_DURATION: "1ms" };
  const trigger = await startBenchTrigger(program.command, env, triggerCpu === undefined ? {} : { cpu: triggerCpu });
  try {
    for (let i = 0; i < SUBSCRIPTIONS; i++) {
      await trigger.client.subscribe({
        namespaceId: "bench",
        pipelineId: `p${i}`,
        pipelineTriggerLabel: "l",
        config: { EVERY: "1ms" },
      });
    }
    const results = new Map<number, Drain>();
    for (const outstanding of OUTSTANDING) {
      await drain(trigger, outstanding, 2_000); // warm-up (and the queue refills), not counted
      results.set(outstanding, await drain(trigger, outstanding, EVENTS));
    }
    return results;
  } finally {
    await trigger.stop();
  }
}

const samples = new Map<string, Drain[]>(); // key: `${program} ${outstanding}`
for (let round = 0; round < ROUNDS; round++) {
  for (const program of roundOrder(under, round)) {
    for (const [outstanding, result] of await measure(program)) {
      const key = `${program.name} ${outstanding}`;
      samples.set(key, [...(samples.get(key) ?? []), result]);
    }
  }
}

const rows: Row[] = [];
for (const outstanding of OUTSTANDING) {
  const of = (name: string) => samples.get(`${name} ${outstanding}`) ?? [];
  const ours = of("ours");
  const oursRate = spread(ours.map((d) => d.eventsPerSecond));
  const oursP99 = spread(ours.map((d) => d.p99Ms));
  const compared = of("compare");
  const reference = ORIGINAL_V041.watchDrain[outstanding];
  const theirs =
    compared.length > 0
      ? {
          label: "compare (this run)",
          rate: spread(compared.map((d) => d.eventsPerSecond)),
          p99: spread(compared.map((d) => d.p99Ms)),
        }
      : {
          label: "original v0.4.1 (issue 19)",
          rate: spread([reference?.eventsPerSecond ?? Number.NaN]),
          p99: spread([reference?.p99Ms ?? Number.NaN]),
        };
  rows.push({
    "outstanding Watch calls": outstanding,
    "ours events/s": formatSpread(oursRate),
    "ours p50 ms": formatSpread(spread(ours.map((d) => d.p50Ms)), 2),
    "ours p99 ms": formatSpread(oursP99, 2),
    "ours trigger CPU µs/event": formatSpread(spread(ours.map((d) => d.cpuUsPerEvent))),
    "client CPU µs/event, ours": formatSpread(spread(ours.map((d) => d.clientCpuUsPerEvent))),
    reference: theirs.label,
    "reference events/s": formatSpread(theirs.rate),
    "reference p99 ms": Number.isNaN(theirs.p99.median) ? "–" : formatSpread(theirs.p99, 2),
    "reference trigger CPU µs/event":
      compared.length > 0 ? formatSpread(spread(compared.map((d) => d.cpuUsPerEvent))) : "–",
    "client CPU µs/event, reference":
      compared.length > 0 ? formatSpread(spread(compared.map((d) => d.clientCpuUsPerEvent))) : "–",
    "ours / reference": ratio(oursRate.median, theirs.rate.median),
  });
}

printTable(
  `Watch drain from a full queue (interval trigger, TLS, loopback, ${EVENTS.toLocaleString("en-US")} events, ` +
    `${ROUNDS} rounds: median (min–max)${triggerCpu === undefined ? ", unpinned" : ", trigger and client on their own cores"})`,
  rows,
);
