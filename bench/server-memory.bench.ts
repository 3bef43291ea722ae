// Memory with 10,000 subscriptions over the 2 base triggers (target ≤ 250 MB): 5,000 pipelines, each subscribing to
// interval (every hour) and cron (nightly), on a real server with the process engine. Prints the RSS of the server and
// of each trigger process, before and after.
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { startBenchServer } from "./bench-server.js";
import { printTable } from "./report.js";

const PIPELINES = Number(process.env.BENCH_PIPELINES ?? 5_000);

function rssMb(pid: number | string): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? Number.NaN);
  return kb / 1024;
}

/** The pid listening on a loopback TCP port (from /proc, no tools needed). */
function pidOfPort(port: number): number | undefined {
  const hex = port.toString(16).toUpperCase().padStart(4, "0");
  const inodes = new Set(
    readFileSync("/proc/net/tcp", "utf8")
      .split("\n")
      .map((line) => line.trim().split(/\s+/))
      .filter((f) => f[1]?.endsWith(`:${hex}`) && f[3] === "0A")
      .map((f) => f[9]),
  );
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        const inode = /socket:\[(\d+)\]/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
        if (inode && inodes.has(inode)) return Number(pid);
      }
    } catch {
      // the process ended meanwhile
    }
  }
  return undefined;
}

const { api, stop } = await startBenchServer({ "triggers.install_base_triggers": true });
const triggers = (await api.listTriggers({})).triggers;
const pids = Object.fromEntries(triggers.map((t) => [t.name, pidOfPort(Number(t.url.split(":")[1]))]));
const measure = () => ({
  server: rssMb("self"),
  interval: pids.interval ? rssMb(pids.interval) : Number.NaN,
  cron: pids.cron ? rssMb(pids.cron) : Number.NaN,
});
const before = measure();
let next = 0;
const t0 = performance.now();
const worker = async () => {
  while (next < PIPELINES) {
    const i = next++;
    await api.createPipeline({
      namespaceId: "default",
      pipelineConfig: {
        id: `p${i}`,
        name: `p${i}`,
        description: "",
        parallelism: 0n,
        tasks: [],
        triggers: [
          { name: "interval", label: "hourly", settings: { EVERY: "1h" } },
          { name: "cron", label: "nightly", settings: { EXPRESSION: "0 3 * * *" } },
        ],
      },
    });
  }
};
await Promise.all(Array.from({ length: 16 }, worker));
const seconds = (performance.now() - t0) / 1000;
const after = measure();
// V8 keeps garbage until it needs the room: after a full collection the server's figure is what it really holds.
// (The triggers run in their own processes, where this benchmark cannot ask for one.)
const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
await new Promise((resolve) => setTimeout(resolve, 500));
gc?.(); // the second one releases what the first freed
const serverAfterGc = rssMb("self");
await stop();

const total = (m: typeof before) => m.server + m.interval + m.cron;
printTable(
  `RSS with ${(PIPELINES * 2).toLocaleString("en-US")} subscriptions over 2 triggers (${PIPELINES.toLocaleString("en-US")} pipelines)`,
  [
    {
      process: "server (this process: server + benchmark client)",
      "before MB": before.server,
      "after MB": after.server,
      "after a full GC MB": serverAfterGc,
    },
    { process: "interval trigger", "before MB": before.interval, "after MB": after.interval },
    { process: "cron trigger", "before MB": before.cron, "after MB": after.cron },
    {
      process: "total",
      "before MB": total(before),
      "after MB": total(after),
      "after a full GC MB": total({ ...after, server: serverAfterGc }),
    },
  ],
);
console.log(`(created ${PIPELINES.toLocaleString("en-US")} pipelines in ${seconds.toFixed(1)} s)\n`);
