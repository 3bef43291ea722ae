// Resident memory per subscription of the real trigger programs: RSS after 10,000 Subscribe calls (once it has
// settled) minus the idle RSS before them, for the interval trigger (EVERY=1h) and the cron trigger
// (EXPRESSION="* * * * * *"), beside the idle RSS of the trigger and of a bare `node -e` (what Node itself costs).
//
//   pnpm bench subscription-memory [-- --compare "<interval command>"] [--compare-cron "<cron command>"] [--rounds 3]
//
// --compare / --compare-cron run another interval / cron trigger program (for example the original v0.4.1 Go
// binaries) beside ours, round by round in alternating order, and print ours / theirs. Without them, the original's
// figures from issue 19 are the reference. The subscriptions arrive over the plain grpc-js client, 32 calls in flight.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
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
import type { PlainTriggerClient } from "./plain-trigger-client.js";
import { printTable, type Row } from "./report.js";
import { type BenchTrigger, startBenchTrigger } from "./trigger-process.js";

const options = readOptions(process.argv.slice(2));
const ROUNDS = numberOption(options, "rounds", 3);
const SUBSCRIPTIONS = numberOption(options, "subscriptions", 10_000);
const triggerCpu = pinClient(options);
const MB = 2 ** 20;

const KINDS: { kind: "interval" | "cron"; config: Record<string, string>; compare: string | undefined }[] = [
  { kind: "interval", config: { EVERY: "1h" }, compare: options.get("compare") },
  { kind: "cron", config: { EXPRESSION: "* * * * * *" }, compare: options.get("compare-cron") },
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until RSS has moved by less than 64 KB over 3 s (sampled every second, at most 30 s), and returns it: a
 * collection after the burst (ours runs one a second after the last Subscribe) and the release of the freed pages take
 * a few seconds.
 */
async function settledRss(trigger: BenchTrigger): Promise<number> {
  const samples = [trigger.rssBytes()];
  for (let i = 0; i < 30; i++) {
    await sleep(1_000);
    samples.push(trigger.rssBytes());
    const window = samples.slice(-4);
    if (window.length === 4 && Math.max(...window) - Math.min(...window) < 64 * 1024) break;
  }
  return samples[samples.length - 1] as number;
}

/** SUBSCRIPTIONS distinct subscriptions, 32 Subscribe calls in flight at a time. */
async function subscribeMany(client: PlainTriggerClient, config: Record<string, string>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < SUBSCRIPTIONS) {
      const i = next++;
      await client.subscribe({
        namespaceId: `ns${i % 100}`,
        pipelineId: `pipeline_${i}`,
        pipelineTriggerLabel: "label",
        config,
      });
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
}

interface Sample {
  idleBytes: number;
  perSubscriptionBytes: number;
}

async function measure(program: Program, config: Record<string, string>): Promise<Sample> {
  const trigger = await startBenchTrigger(program.command, {}, triggerCpu === undefined ? {} : { cpu: triggerCpu });
  try {
    for (let i = 0; i < 20; i++) await trigger.client.info();
    const idleBytes = await settledRss(trigger);
    await subscribeMany(trigger.client, config);
    const afterBytes = await settledRss(trigger);
    const registered = (await trigger.client.info()).registered.length;
    if (registered !== SUBSCRIPTIONS) throw new Error(`${program.name}: ${registered} subscriptions registered`);
    return { idleBytes, perSubscriptionBytes: (afterBytes - idleBytes) / SUBSCRIPTIONS };
  } finally {
    await trigger.stop();
  }
}

/** RSS of `node -e` that only waits: the floor any Node trigger stands on. */
async function bareNodeRss(): Promise<number> {
  const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60_000)"], { stdio: "ignore" });
  await sleep(1_500);
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1]);
  child.kill();
  return kb * 1024;
}

const rows: Row[] = [];
const idle: Record<string, number[]> = {};
for (const { kind, config, compare } of KINDS) {
  const under = programs(kind, compare);
  const samples = new Map<string, Sample[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const program of roundOrder(under, round)) {
      samples.set(program.name, [...(samples.get(program.name) ?? []), await measure(program, config)]);
    }
  }
  const ours = samples.get("ours") ?? [];
  const theirs = samples.get("compare");
  idle[`${kind} ours`] = ours.map((s) => s.idleBytes);
  if (theirs) idle[`${kind} compare`] = theirs.map((s) => s.idleBytes);
  const oursPer = spread(ours.map((s) => s.perSubscriptionBytes));
  const referencePer = theirs
    ? spread(theirs.map((s) => s.perSubscriptionBytes))
    : spread([ORIGINAL_V041.rssPerSubscriptionBytes[kind]]);
  rows.push({
    trigger: `${kind} (${Object.entries(config).map(([k, v]) => `${k}=${v}`)})`,
    "ours bytes/subscription": formatSpread(oursPer),
    reference: theirs ? "compare (this run)" : "original v0.4.1 (issue 19)",
    "reference bytes/subscription": formatSpread(referencePer),
    "ours / reference": ratio(oursPer.median, referencePer.median),
  });
}

printTable(
  `RSS per subscription (${SUBSCRIPTIONS.toLocaleString("en-US")} subscriptions, RSS after − idle, ${ROUNDS} rounds: median (min–max))`,
  rows,
);

const bare = await bareNodeRss();
printTable("Idle RSS of a trigger process", [
  ...Object.entries(idle).map(([name, values]) => ({
    process: name,
    "idle RSS (MB)": formatSpread(spread(values.map((v) => v / MB)), 1),
  })),
  ...(options.has("compare") || options.has("compare-cron")
    ? []
    : [
        {
          process: "original v0.4.1 (issue 19)",
          "idle RSS (MB)": formatSpread(spread([ORIGINAL_V041.idleRssBytes / MB]), 1),
        },
      ]),
  { process: "bare `node -e` (the floor)", "idle RSS (MB)": formatSpread(spread([bare / MB]), 1) },
]);
