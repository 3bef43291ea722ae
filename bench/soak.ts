// The memory soak: a whole server in this process (process engine), N pipelines on an interval trigger `every`, each
// with one `true` task, for a while. Every sample forces a full GC and reads this process's heap after it (the
// server's JavaScript) and RSS, and the RSS of the trigger processes; the slope of the post-GC heap per 1,000 runs,
// fitted over the samples after a warm-up, tells whether runs leave anything behind. Used by `pnpm bench soak` and,
// shorter, by a test that fails on a clear leak.
import { readdirSync, readFileSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { GoferClient, type PipelineConfig, promiseClient } from "@gofer/proto";
import { createServer, createServerLogger, loadConfig } from "@gofer/server";
import * as grpc from "@grpc/grpc-js";

export interface SoakOptions {
  pipelines: number;
  every: string;
  seconds: number;
  sampleEverySeconds: number;
  /** Fraction of the samples (from the start) left out of the fit. */
  warmup: number;
  dir: string;
  onSample?: (sample: SoakSample) => void;
}

export interface SoakSample {
  seconds: number;
  runs: number;
  heapMb: number;
  rssMb: number;
  triggersRssMb: number[];
}

export interface SoakResult {
  samples: SoakSample[];
  /** Post-GC heap growth per 1,000 runs, in KB, fitted after the warm-up. */
  kbPer1000Runs: number;
  runs: number;
}

/** A function that runs a full GC, whether or not node was started with --expose-gc. */
export function forceGc(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

function rssMb(pid: number | "self"): number {
  try {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? Number.NaN);
    return kb / 1024;
  } catch {
    return Number.NaN;
  }
}

/** Least-squares slope of y over x. */
export function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  if (n < 2) return Number.NaN;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += ((xs[i] as number) - mx) * ((ys[i] as number) - my);
    den += ((xs[i] as number) - mx) ** 2;
  }
  return den === 0 ? Number.NaN : num / den;
}

function pipeline(id: string, every: string): PipelineConfig {
  return {
    id,
    name: id,
    description: "",
    parallelism: 0n,
    triggers: [{ name: "interval", label: "every", settings: { EVERY: every } }],
    tasks: [
      {
        task: {
          $case: "customTask",
          value: {
            id: "quick",
            description: "",
            image: "gofer-task-test:latest",
            registryAuth: undefined,
            dependsOn: {},
            variables: {},
            entrypoint: [],
            command: ["true"],
          },
        },
      },
    ],
  };
}

export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const gc = forceGc();
  const config = loadConfig({
    env: {},
    flags: {
      "server.host": "127.0.0.1:0",
      "server.storage_path": `${options.dir}/gofer.db`,
      "scheduler.engine": "process",
      "development.bypass_auth": true,
      "development.use_localhost_tls": true,
      "development.default_encryption": true,
      "triggers.install_base_triggers": false,
      "server.shutdown_timeout": "5s",
      task_execution_logs_dir: `${options.dir}/logs`,
      log_level: "error",
    },
  });
  const server = await createServer(config, { logger: createServerLogger({ level: "error", pretty: true }) });
  const client = new GoferClient(
    server.address,
    grpc.credentials.createSsl(Buffer.from(server.apiCertPem ?? ""), null, null, {
      checkServerIdentity: () => undefined,
    }),
    { "grpc.ssl_target_name_override": "localhost" },
  );
  const api = promiseClient(client);
  try {
    // The interval trigger allows short periods only when told so.
    await api.installTrigger({
      name: "interval",
      image: "gofer-trigger-interval:latest",
      user: "",
      pass: "",
      variables: { MIN_DURATION: "1s" },
    });
    let runs = 0;
    const stream = client.listEvents({ reverse: false, follow: true });
    stream.on("data", (item: { event?: { kind: string } }) => {
      if (item.event?.kind === "COMPLETED_RUN") runs += 1;
    });
    stream.on("error", () => {});
    for (let i = 0; i < options.pipelines; i++) {
      await api.createPipeline({ namespaceId: "default", pipelineConfig: pipeline(`soak${i}`, options.every) });
    }
    const triggerPids = () => pidsOfTriggers(server.instanceId);
    const samples: SoakSample[] = [];
    const started = performance.now();
    for (;;) {
      const elapsed = (performance.now() - started) / 1000;
      gc();
      gc();
      const sample: SoakSample = {
        seconds: Math.round(elapsed),
        runs,
        heapMb: process.memoryUsage().heapUsed / 2 ** 20,
        rssMb: rssMb("self"),
        triggersRssMb: triggerPids().map(rssMb),
      };
      samples.push(sample);
      options.onSample?.(sample);
      if (elapsed >= options.seconds) break;
      await new Promise((resolve) =>
        setTimeout(resolve, Math.min(options.sampleEverySeconds, options.seconds - elapsed) * 1000),
      );
    }
    stream.cancel();
    const fitted = samples.slice(Math.floor(samples.length * options.warmup));
    const mbPerRun = slope(
      fitted.map((s) => s.runs),
      fitted.map((s) => s.heapMb),
    );
    return { samples, kbPer1000Runs: mbPerRun * 1024 * 1000, runs };
  } finally {
    client.close();
    await server.stop("soak finished");
  }
}

/** Trigger processes of this server: those marked with its instance id, running a trigger. */
function pidsOfTriggers(instanceId: string): number[] {
  const out: number[] = [];
  const needle = `GOFER_SERVER_INSTANCE=${instanceId}`;
  for (const entry of readdirSafe("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, "utf8").split("\0");
      if (environ.includes(needle) && environ.some((e) => e.startsWith("GOFER_PLUGIN_SYSTEM_NAME="))) {
        out.push(Number(entry));
      }
    } catch {
      // gone
    }
  }
  return out;
}

function readdirSafe(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}
