// `pnpm bench replicas`: interval events into runs with one, two and three servers on one Postgres (process engine,
// each server a process of its own), one sqlite server beside them, and the time a killed holder's trigger takes to
// come back on another replica. Bounded: fixed pipelines and windows, every child killed at the end.
//
// What to expect: a trigger is watched by one replica at a time, so one interval trigger's events go through its
// holder whatever the number of replicas; replicas share the work when there are several triggers, and keep the
// triggers running when a server dies.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findPostgresBinaries, startPostgresCluster } from "../packages/server/test/postgres-cluster.js";
import {
  eventsOf,
  holders,
  installIntervalOn,
  type Replica,
  ReplicaSet,
  runsOf,
} from "../packages/server/test/replica-harness.js";
import { intervalPipeline, startChildServer } from "../packages/server/test/server-harness.js";
import { printTable, type Row } from "./report.js";

const PIPELINES = Number(process.env.BENCH_REPLICA_PIPELINES ?? 20);
const EVERY_MS = 500;
const WINDOW_MS = Number(process.env.BENCH_REPLICA_WINDOW_MS ?? 8_000);
const LEASE_MS = 3_000;
const ids = Array.from({ length: PIPELINES }, (_, i) => `p${i}`);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, limitMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const found = await probe().catch(() => undefined);
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${limitMs} ms`);
    await sleep(100);
  }
}

async function totalRuns(via: Replica): Promise<number> {
  let total = 0;
  for (const id of ids) total += (await runsOf(via, id)).length;
  return total;
}

/** Pipelines in through every server, then runs counted over a window once every pipeline has run. */
async function measure(servers: Replica[]): Promise<{ eventsPerSecond: number }> {
  const first = servers[0] as Replica;
  await installIntervalOn(first);
  for (const [i, id] of ids.entries()) {
    const through = servers[i % servers.length] as Replica;
    await through.api.createPipeline({ namespaceId: "default", pipelineConfig: intervalPipeline(id, `${EVERY_MS}ms`) });
  }
  await until("a run of every pipeline", 60_000, async () => {
    for (const id of ids) if ((await runsOf(first, id)).length === 0) return undefined;
    return true;
  });
  const before = await totalRuns(first);
  const t0 = Date.now();
  await sleep(WINDOW_MS);
  const after = await totalRuns(first);
  return { eventsPerSecond: ((after - before) * 1000) / (Date.now() - t0) };
}

async function takeover(set: ReplicaSet): Promise<{ holderMs: number; firstRunMs: number }> {
  const [took] = holders(await eventsOf(set.replicas[0] as Replica));
  const holder = set.replicas.find((r) => r.instanceId === took?.details.replica);
  if (!holder) throw new Error("no replica holds the interval trigger");
  const survivor = set.replicas.find((r) => r !== holder) as Replica;
  const killedAt = Date.now();
  await holder.kill("SIGKILL");
  const next = await until("another holder", 60_000, async () =>
    holders(await eventsOf(survivor)).find((e) => e.details.previous === holder.instanceId),
  );
  const firstRun = await until("a run after the takeover", 60_000, async () => {
    const started = (await runsOf(survivor, "p0")).map((run) => Number(run.started)).filter((t) => t > next.emitted);
    return started.length > 0 ? Math.min(...started) : undefined;
  });
  return { holderMs: next.emitted - killedAt, firstRunMs: firstRun - killedAt };
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const offered = (PIPELINES * 1000) / EVERY_MS;
  const sqliteDir = mkdtempSync(join(tmpdir(), "gofer-bench-sqlite-"));
  const sqlite = await startChildServer(sqliteDir, "process", {});
  try {
    const { eventsPerSecond } = await measure([Object.assign(sqlite, { dir: sqliteDir })]);
    rows.push({ storage: "sqlite", servers: 1, "offered events/s": offered, "events/s into runs": eventsPerSecond });
  } finally {
    await sqlite.kill("SIGKILL");
    rmSync(sqliteDir, { recursive: true, force: true });
  }

  const binaries = findPostgresBinaries();
  if ("missing" in binaries) {
    printTable(`interval events into runs (Postgres rows skipped: ${binaries.missing})`, rows);
    return;
  }
  const cluster = await startPostgresCluster(binaries.binDir);
  try {
    for (const count of [1, 2, 3]) {
      const set = new ReplicaSet(await cluster.createDatabase({ empty: true }), LEASE_MS);
      try {
        for (let i = 0; i < count; i += 1) await set.add();
        const { eventsPerSecond } = await measure(set.replicas);
        const row: Row = {
          storage: "postgres",
          servers: count,
          "offered events/s": offered,
          "events/s into runs": eventsPerSecond,
        };
        if (count > 1) {
          const { holderMs, firstRunMs } = await takeover(set);
          row[`kill -9 → new holder, ms (lease ${LEASE_MS} ms)`] = holderMs;
          row["kill -9 → first run again, ms"] = firstRunMs;
        }
        rows.push(row);
      } finally {
        await set.stopAll();
      }
    }
  } finally {
    await cluster.stop();
  }
  printTable(
    `interval events into runs: ${PIPELINES} pipelines every ${EVERY_MS} ms, process engine, ${WINDOW_MS} ms window`,
    rows,
  );
}

await main();
