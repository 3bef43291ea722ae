// Webhooks end to end on a real server (process engine, TLS on loopback, the github trigger in its own process):
// signed GitHub push deliveries POSTed to /external/github, each making the trigger fire one pipeline (no tasks).
//  - latency from sending a webhook to its run being committed, p50/p99, at a steady 50 requests/s (after a warm-up),
//    with the time to the 200 answer beside it;
//  - the maximum sustained rate: deliveries sent as fast as 16 keep-alive connections allow, counted from the first
//    send to the last run committed.
// Each delivery carries its own head commit id, which becomes the run's GOFER_TRIGGER_GITHUB_HEAD_COMMIT_ID, so every
// run is matched to the moment its webhook was sent.
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { Agent, request } from "node:https";
import { Run_RunState } from "@gofer/proto";
import { type BenchApi, startBenchServer } from "./bench-server.js";
import { printTable, quantile, type Row } from "./report.js";

const SECRET = "bench-secret";
const push = JSON.parse(
  readFileSync(new URL("../packages/triggers-github/test/fixtures/push.json", import.meta.url), "utf8"),
) as { head_commit: { id: string }; repository: { full_name: string } };

function delivery(id: string, repository: string): { body: Buffer; headers: Record<string, string> } {
  push.head_commit.id = id;
  push.repository.full_name = repository;
  const body = Buffer.from(JSON.stringify(push));
  return {
    body,
    headers: {
      "Content-Type": "application/json",
      "Content-Length": String(body.length),
      "User-Agent": "GitHub-Hookshot/bench",
      "X-GitHub-Delivery": id,
      "X-GitHub-Event": "push",
      "X-Hub-Signature-256": `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`,
    },
  };
}

const { api, server, stop } = await startBenchServer({ run_parallelism_limit: 0 });
const [host, port] = (server.externalEventsAddress ?? "").split(":");
const agent = new Agent({ keepAlive: true, maxSockets: 16, ca: server.apiCertPem ?? "" });

/** POSTs one delivery; resolves with the status once the answer has been read. */
function post(id: string, repository = "octo-org/hello-world"): Promise<number> {
  const { body, headers } = delivery(id, repository);
  return new Promise((resolve, reject) => {
    const req = request(
      { host, port: Number(port), path: "/external/github", method: "POST", headers, agent, servername: "localhost" },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

async function runsOf(pipelineId: string, count: number): Promise<Map<string, number>> {
  const committed = new Map<string, number>();
  for (let offset = 0; offset < count; offset += 5_000) {
    const { runs } = await api.listRuns({ namespaceId: "default", pipelineId, offset: BigInt(offset), limit: 5_000n });
    for (const run of runs) {
      const id = run.variables.find((v) => v.key === "GOFER_TRIGGER_GITHUB_HEAD_COMMIT_ID")?.value ?? "";
      committed.set(id, Number(run.started));
    }
  }
  return committed;
}

async function allComplete(pipelineId: string, count: number): Promise<void> {
  for (;;) {
    const { runs } = await api.listRuns({ namespaceId: "default", pipelineId, offset: 0n, limit: 5_000n });
    if (runs.length >= count && runs.every((r) => r.state === Run_RunState.COMPLETE)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function pipeline(api: BenchApi, id: string, repository: string): Promise<void> {
  await api.createPipeline({
    namespaceId: "default",
    pipelineConfig: {
      id,
      name: id,
      description: "",
      parallelism: 0n,
      tasks: [],
      triggers: [{ name: "github", label: "push", settings: { EVENTS: "push", REPOSITORY: repository } }],
    },
  });
}

await api.installTrigger({
  name: "github",
  image: "ghcr.io/clintjedwards/gofer/triggers/github:latest",
  user: "",
  pass: "",
  variables: { WEBHOOK_SECRET: SECRET },
});
await pipeline(api, "hooks", "octo-org/hello-world");

const rows: Row[] = [];
const RATE = 50;
const WARM_UP = Number(process.env.BENCH_WEBHOOK_WARM_UP ?? 300);
const STEADY = Number(process.env.BENCH_WEBHOOK_REQUESTS ?? 1_000);
const BURST = Number(process.env.BENCH_WEBHOOK_BURST ?? 3_000);

// Steady rate: one request every 20 ms, on schedule (a slow answer does not delay the next send).
const sentAt = new Map<string, number>();
const answeredMs: number[] = [];
const statuses = new Map<number, number>();
{
  const total = WARM_UP + STEADY;
  const start = Date.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i += 1) {
    const due = start + (i * 1000) / RATE;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const id = `steady-${i}`;
    const t0 = Date.now();
    if (i >= WARM_UP) sentAt.set(id, t0);
    pending.push(
      post(id).then((status) => {
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (i >= WARM_UP) answeredMs.push(Date.now() - t0);
      }),
    );
  }
  await Promise.all(pending);
  await allComplete("hooks", total);
  const committed = await runsOf("hooks", total);
  const latencies = [...sentAt].map(([id, t]) => (committed.get(id) ?? Number.NaN) - t).sort((a, b) => a - b);
  answeredMs.sort((a, b) => a - b);
  rows.push({
    measure: `webhook sent → run committed, ${RATE}/s, ${STEADY} requests (after ${WARM_UP} warm-up)`,
    p50: `${quantile(latencies, 0.5).toFixed(1)} ms`,
    p99: `${quantile(latencies, 0.99).toFixed(1)} ms`,
    "runs / requests": `${latencies.filter((l) => Number.isFinite(l)).length} / ${STEADY}`,
  });
  rows.push({
    measure: `webhook sent → 200 answered, ${RATE}/s`,
    p50: `${quantile(answeredMs, 0.5).toFixed(1)} ms`,
    p99: `${quantile(answeredMs, 0.99).toFixed(1)} ms`,
    "runs / requests": [...statuses].map(([s, n]) => `${n}×${s}`).join(", "),
  });
}

// Maximum sustained rate: BURST deliveries over 16 connections, as fast as they are answered.
{
  await pipeline(api, "burst", "octo-org/burst");
  const start = Date.now();
  let next = 0;
  let ok = 0;
  const worker = async () => {
    while (next < BURST) {
      const i = next;
      next += 1;
      if ((await post(`burst-${i}`, "octo-org/burst")) === 200) ok += 1;
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  const answeredAllMs = Date.now() - start;
  await allComplete("burst", BURST);
  const committed = await runsOf("burst", BURST);
  const lastCommitted = Math.max(...committed.values());
  rows.push({
    measure: `maximum sustained: ${BURST} deliveries over 16 connections`,
    p50: `${((ok * 1000) / answeredAllMs).toFixed(0)} accepted/s`,
    p99: `${((committed.size * 1000) / (lastCommitted - start)).toFixed(0)} runs committed/s`,
    "runs / requests": `${committed.size} / ${BURST} (${ok} answered 200)`,
  });
}

agent.destroy();
await stop();
printTable("webhook", rows);
