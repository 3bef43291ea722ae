// Memory with 10,000 subscriptions over the 2 base triggers (target ≤ 250 MB): 5,000 pipelines, each subscribing to
// interval (every hour) and cron (nightly). The server runs as its own process, started the way a user starts it
// (`packages/cli/bin/gofer service start`: the CLI bundle after `pnpm build`, else TypeScript through tsx), with the
// process engine; this process only drives it. Prints the RSS of the server and of each trigger process before, right
// after, and after 30 s idle (by when V8 has usually returned what the burst of API calls left behind).
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { GoferClient, promiseClient, Trigger_TriggerState } from "@gofer/proto";
import * as grpc from "@grpc/grpc-js";
import { printTable } from "./report.js";
import { freePort } from "./trigger-process.js";

const PIPELINES = Number(process.env.BENCH_PIPELINES ?? 5_000);
const gofer = fileURLToPath(new URL("../packages/cli/bin/gofer", import.meta.url));
const bundled = existsSync(fileURLToPath(new URL("../packages/cli/dist/gofer.mjs", import.meta.url)));

function rssMb(pid: number): number {
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

const dir = mkdtempSync(join(tmpdir(), "gofer-bench-memory-"));
const port = await freePort();
const set = {
  "server.host": `127.0.0.1:${port}`,
  "external_events_api.host": "127.0.0.1:0",
  "server.storage_path": join(dir, "gofer.db"),
  "server.use_tls": false,
  "server.storage_results_limit": 5_000,
  "scheduler.engine": "process",
  "development.bypass_auth": true,
  "development.default_encryption": true,
  "triggers.install_base_triggers": true,
  task_execution_logs_dir: join(dir, "logs"),
  log_level: "warn",
};
const server = spawn(gofer, ["service", "start", ...Object.entries(set).flatMap(([k, v]) => ["--set", `${k}=${v}`])], {
  stdio: ["ignore", "inherit", "inherit"],
});
const serverExited = new Promise((resolve) => server.once("exit", resolve));
const client = new GoferClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
const api = promiseClient(client);
for (let attempt = 0; ; attempt++) {
  if (server.exitCode !== null || attempt > 1_200) throw new Error("the server did not start with both base triggers");
  const triggers = await api.listTriggers({}).then(
    (response) => response.triggers,
    () => [],
  );
  if (triggers.length === 2 && triggers.every((t) => t.state === Trigger_TriggerState.RUNNING)) break;
  await new Promise((resolve) => setTimeout(resolve, 50));
}
const triggers = (await api.listTriggers({})).triggers;
const pids = Object.fromEntries(triggers.map((t) => [t.name, pidOfPort(Number(t.url.split(":")[1]))]));
const measure = () => ({
  server: rssMb(server.pid ?? 0),
  interval: pids.interval ? rssMb(pids.interval) : Number.NaN,
  cron: pids.cron ? rssMb(pids.cron) : Number.NaN,
});
await new Promise((resolve) => setTimeout(resolve, 2_000)); // startup settles
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
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 30);
await new Promise((resolve) => setTimeout(resolve, IDLE_SECONDS * 1000));
const idle = measure();
client.close();
server.kill("SIGTERM");
await serverExited;
rmSync(dir, { recursive: true, force: true });

const total = (m: typeof before) => m.server + m.interval + m.cron;
const row = (process: string, pick: (m: typeof before) => number) => ({
  process,
  "before MB": pick(before),
  "after MB": pick(after),
  [`after ${IDLE_SECONDS} s idle MB`]: pick(idle),
});
printTable(
  `RSS with ${(PIPELINES * 2).toLocaleString("en-US")} subscriptions over 2 triggers (${PIPELINES.toLocaleString("en-US")} pipelines)`,
  [
    row(
      `server (${bundled ? "CLI bundle" : "TypeScript through tsx: run pnpm build for the bundle"})`,
      (m) => m.server,
    ),
    row("interval trigger", (m) => m.interval),
    row("cron trigger", (m) => m.cron),
    row("total", total),
  ],
);
console.log(`(created ${PIPELINES.toLocaleString("en-US")} pipelines in ${seconds.toFixed(1)} s)\n`);
