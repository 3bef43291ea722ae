// Resident memory per subscription of the real trigger programs: RSS after 10,000 Subscribe calls (once it has
// settled) minus the idle RSS before them, for the interval trigger (EVERY=1h) and the cron trigger
// (EXPRESSION="* * * * * *"), beside the idle RSS of the trigger and of a bare `node -e` (what Node itself costs).
//
//   pnpm bench subscription-memory [-- --compare "<interval command>"] [--compare-cron "<cron command>"] [--rounds 3]
//
// --compare / --compare-cron run another interval / cron trigger program (for example the original v0.4.1 Go
// binaries) beside ours, round by round in alternating order, and print ours / theirs. Without them, the original's
// figures from issue 19 are the reference. The subscriptions arrive over the plain grpc-js client, 32 calls in flight.
//
// "* * * * * *" is the original 6-field grammar: every minute. The cron rounds start just after a minute begins and
// take their reading before the next one, so no subscription has fired yet, as with EVERY=1h. What the first fire then
// adds, when all 10,000 are due at once and nobody takes events (each holds a waiting event), is printed as its own
// row, as is the part of each figure that is file-backed: the trigger's program code read in for the first time by
// the burst (for Node, mostly its optimising compiler), a one-time cost that does not grow with subscriptions.
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
const MINUTE_MS = 60_000;

/** Resident memory of a process: all of it, and the part backed by files (program code and libraries). */
function residentBytes(pid: number): { rss: number; file: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN) * 1024;
  return { rss: kb("VmRSS"), file: kb("RssFile") };
}

/** Waits, if needed, until a minute has just begun (within its first 5 s): a cron round needs ~45 s of it. */
async function minuteJustBegun(): Promise<void> {
  const intoMinuteMs = Date.now() % MINUTE_MS;
  if (intoMinuteMs > 5_000) await sleep(MINUTE_MS - intoMinuteMs + 500);
}

/**
 * Waits at least 12 s, then until RSS has moved by less than 64 KB over 3 s (sampled every second, at most 30 s, and
 * never past untilMs), and returns it. A collection after the burst (ours runs one a second after the last Subscribe)
 * frees the burst's garbage, but V8 hands the emptied heap pages back only when its memory reducer runs, about 8 s
 * after that collection: until then RSS can sit still at the burst's size, which is not what a trigger keeps.
 */
async function settledRss(trigger: BenchTrigger, untilMs = Number.POSITIVE_INFINITY): Promise<Resident> {
  const pid = trigger.child.pid as number;
  const samples = [residentBytes(pid)];
  for (let i = 1; i <= 30 && Date.now() + 1_000 < untilMs; i++) {
    await sleep(1_000);
    samples.push(residentBytes(pid));
    const window = samples.slice(-4).map((s) => s.rss);
    if (i >= 12 && Math.max(...window) - Math.min(...window) < 64 * 1024) break;
  }
  return samples[samples.length - 1] as Resident;
}

type Resident = ReturnType<typeof residentBytes>;

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
  /** The file-backed part of perSubscriptionBytes. */
  filePerSubscriptionBytes: number;
  /** Cron: RSS after the first fire, with every subscription holding a waiting event, minus idle, per subscription. */
  firedPerSubscriptionBytes?: number;
}

async function measure(program: Program, kind: "interval" | "cron", config: Record<string, string>): Promise<Sample> {
  if (kind === "cron") await minuteJustBegun();
  const nextMinuteMs = Math.ceil(Date.now() / MINUTE_MS) * MINUTE_MS;
  const trigger = await startBenchTrigger(program.command, {}, triggerCpu === undefined ? {} : { cpu: triggerCpu });
  try {
    for (let i = 0; i < 20; i++) await trigger.client.info();
    const beforeFire = kind === "cron" ? nextMinuteMs - 1_000 : Number.POSITIVE_INFINITY;
    const idle = await settledRss(trigger, beforeFire);
    await subscribeMany(trigger.client, config);
    const after = await settledRss(trigger, beforeFire);
    if (Date.now() >= nextMinuteMs && kind === "cron") {
      throw new Error(`${program.name}: the subscriptions took past the minute (they may have fired); run again`);
    }
    const registered = (await trigger.client.info()).registered.length;
    if (registered !== SUBSCRIPTIONS) throw new Error(`${program.name}: ${registered} subscriptions registered`);
    const sample: Sample = {
      idleBytes: idle.rss,
      perSubscriptionBytes: (after.rss - idle.rss) / SUBSCRIPTIONS,
      filePerSubscriptionBytes: (after.file - idle.file) / SUBSCRIPTIONS,
    };
    if (kind === "cron") {
      await sleep(nextMinuteMs + 1_000 - Date.now());
      sample.firedPerSubscriptionBytes = ((await settledRss(trigger)).rss - idle.rss) / SUBSCRIPTIONS;
    }
    return sample;
  } finally {
    await trigger.stop();
  }
}

/** RSS of `node -e <script>` 1.5 s after it started: what Node itself costs, before any trigger code. */
async function nodeRss(script: string): Promise<number> {
  const child = spawn(process.execPath, ["-e", script], { stdio: "ignore" });
  await sleep(1_500);
  const { rss } = residentBytes(child.pid as number);
  child.kill();
  return rss;
}

const rows: Row[] = [];
const breakdown: Row[] = [];
const idle: Record<string, number[]> = {};
for (const { kind, config, compare } of KINDS) {
  const under = programs(kind, compare);
  const samples = new Map<string, Sample[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const program of roundOrder(under, round)) {
      samples.set(program.name, [...(samples.get(program.name) ?? []), await measure(program, kind, config)]);
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
  for (const [name, list] of [...samples.entries()]) {
    const fired = list.flatMap((s) => (s.firedPerSubscriptionBytes === undefined ? [] : [s.firedPerSubscriptionBytes]));
    breakdown.push({
      trigger: `${kind} ${name}`,
      "bytes/subscription": formatSpread(spread(list.map((s) => s.perSubscriptionBytes))),
      "of which file-backed (program code read in once)": formatSpread(
        spread(list.map((s) => s.filePerSubscriptionBytes)),
      ),
      "after the first fire, nobody taking events": fired.length > 0 ? formatSpread(spread(fired)) : "– (no fire)",
    });
  }
}

printTable(
  `RSS per subscription (${SUBSCRIPTIONS.toLocaleString("en-US")} subscriptions, RSS after − idle, ${ROUNDS} rounds: median (min–max))`,
  rows,
);

printTable("What the figures hold (bytes per subscription, median (min–max))", breakdown);

const bare = await nodeRss("setTimeout(() => {}, 60_000)");
// A trigger serves gRPC over TLS on HTTP/2: Node's http2, tls and crypto modules loaded and a server listening.
const bareServer = await nodeRss(
  "require('node:http2').createSecureServer({}).listen(0, '127.0.0.1'); setTimeout(() => {}, 60_000)",
);
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
  {
    process: "`node -e` with an HTTP/2 TLS server listening (the floor for a Node trigger)",
    "idle RSS (MB)": formatSpread(spread([bareServer / MB]), 1),
  },
]);
