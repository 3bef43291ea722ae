// Events/s drained through Watch from a trigger whose queue is always full, with one and with four outstanding Watch
// calls, over TLS on loopback between two processes; and the latency of each Watch call.
// Reference (original Go v0.4.1 triggers, same client): ~4,000/s with one (p50 0.19 ms, p99 1.2 ms), 8,000/s with four.
import { fileURLToPath } from "node:url";
import { printTable, quantile, type Row } from "./report.js";
import { type BenchTrigger, startBenchTrigger } from "./trigger-process.js";

const fixture = fileURLToPath(new URL("./fixtures/flood-trigger.ts", import.meta.url));
const EVENTS = 20_000;

async function drain(trigger: BenchTrigger, outstanding: number, events: number): Promise<number[]> {
  const latenciesMs: number[] = [];
  let remaining = events;
  const worker = async () => {
    const signal = new AbortController().signal;
    while (remaining-- > 0) {
      const t0 = performance.now();
      await trigger.client.watch(signal);
      latenciesMs.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: outstanding }, worker));
  return latenciesMs;
}

async function run(outstanding: number): Promise<Row> {
  const trigger = await startBenchTrigger([process.execPath, "--import", "tsx", fixture]);
  await trigger.client.subscribe({ namespaceId: "bench", pipelineId: "p", pipelineTriggerLabel: "l", config: {} });
  await drain(trigger, outstanding, 2_000); // warm-up, not counted
  const t0 = performance.now();
  const latenciesMs = await drain(trigger, outstanding, EVENTS);
  const seconds = (performance.now() - t0) / 1000;
  const sorted = latenciesMs.sort((a, b) => a - b);
  await trigger.stop();
  return {
    "outstanding Watch calls": outstanding,
    events: EVENTS,
    "events/s": Math.round(EVENTS / seconds),
    "p50 ms": quantile(sorted, 0.5),
    "p99 ms": quantile(sorted, 0.99),
  };
}

printTable("Watch throughput against a full queue (TLS, loopback, separate processes)", [await run(1), await run(4)]);
