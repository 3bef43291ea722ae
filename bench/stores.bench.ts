// The secret and object stores: put/get through the real API (gRPC, TLS, auth off) of 1 KB and 1 MB objects and of
// 1 KB and 64 KB secrets (64 KiB is the secret size limit), and what resolving 20 secret references adds to a task
// start (Interpolator.resolveVariables on real stores, which is all a task start does more for them).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { systemClock } from "@gofer/kernel";
import { Interpolator } from "../packages/server/src/stores/interpolation.js";
import { ObjectStore } from "../packages/server/src/stores/object-store.js";
import { SecretStore } from "../packages/server/src/stores/secret-store.js";
import { startBenchServer, taskPipeline } from "./bench-server.js";
import { printTable, quantile, type Row } from "./report.js";

const KB = 1024;
const MB = 1024 * KB;

async function measure(count: number, op: (i: number) => Promise<unknown> | unknown) {
  const samples: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await op(i);
    samples.push(performance.now() - start);
  }
  const totalMs = performance.now() - t0;
  samples.sort((a, b) => a - b);
  return { opsPerSec: (count / totalMs) * 1000, p50: quantile(samples, 0.5), p99: quantile(samples, 0.99) };
}

const row = (what: string, size: string, count: number, m: Awaited<ReturnType<typeof measure>>): Row => ({
  operation: what,
  size,
  calls: count,
  "ops/s": Math.round(m.opsPerSec),
  "p50 ms": Number(m.p50.toFixed(3)),
  "p99 ms": Number(m.p99.toFixed(3)),
});

const s = await startBenchServer({
  "object_store.pipeline_object_limit": 100_000,
  "object_store.max_object_bytes": 2 * MB,
});
const rows: Row[] = [];
try {
  await s.api.createPipeline({
    namespaceId: "default",
    pipelineConfig: taskPipeline("bench", { id: "t", command: ["true"] }),
  });
  const ref = { namespaceId: "default", pipelineId: "bench" };
  for (const [size, bytes, count] of [
    ["1 KB", KB, 2000],
    ["1 MB", MB, 100],
  ] as const) {
    const content = Buffer.alloc(bytes, 7);
    rows.push(
      row(
        "PutPipelineObject",
        size,
        count,
        await measure(count, (i) =>
          s.api.putPipelineObject({ ...ref, key: `o${size}${i}`.replace(" ", ""), content, force: false }),
        ),
      ),
    );
    rows.push(
      row(
        "GetPipelineObject",
        size,
        count,
        await measure(count, (i) => s.api.getPipelineObject({ ...ref, key: `o${size}${i}`.replace(" ", "") })),
      ),
    );
  }
  for (const [size, bytes, count] of [
    ["1 KB", KB, 2000],
    ["64 KB", 64 * KB, 500],
  ] as const) {
    const content = "s".repeat(bytes);
    const key = (i: number) => `s${bytes}_${i}`;
    rows.push(
      row(
        "PutPipelineSecret",
        size,
        count,
        await measure(count, (i) => s.api.putPipelineSecret({ ...ref, key: key(i), content, force: false })),
      ),
    );
    rows.push(
      row(
        "GetPipelineSecret (include_secret)",
        size,
        count,
        await measure(count, (i) => s.api.getPipelineSecret({ ...ref, key: key(i), includeSecret: true })),
      ),
    );
  }
} finally {
  await s.stop();
}
printTable("API put/get (one client, sequential calls)", rows);

// What a task start adds: 20 pipeline_secret{{…}} variables (plus 5 plain ones) resolved against the stores.
const dir = mkdtempSync(join(tmpdir(), "gofer-bench-interp-"));
try {
  const secrets = SecretStore.open(join(dir, "s.db"), "b".repeat(32), systemClock);
  const objects = ObjectStore.open(join(dir, "o.db"), { pipelineObjectLimit: 50, maxObjectBytes: MB }, systemClock);
  const scope = { namespaceId: "default", pipelineId: "bench", runId: 1 };
  for (let i = 0; i < 20; i++) secrets.putPipelineSecret(scope, `secret_${i}`, `value-${i}-${"x".repeat(40)}`, false);
  const variables = [
    ...Array.from({ length: 20 }, (_, i) => ({
      key: `S${i}`,
      value: `pipeline_secret{{secret_${i}}}`,
      source: "PIPELINE_CONFIG" as const,
    })),
    ...Array.from({ length: 5 }, (_, i) => ({ key: `P${i}`, value: `plain ${i}`, source: "PIPELINE_CONFIG" as const })),
  ];
  const interpolator = new Interpolator(secrets, objects);
  for (let i = 0; i < 200; i++) interpolator.resolveVariables(variables, scope); // warm up
  const m = await measure(5000, () => interpolator.resolveVariables(variables, scope));
  printTable("Task start: resolving 20 secrets (target under 1 ms at p50)", [
    row("resolveVariables (20 secrets + 5 plain)", "50 B each", 5000, m),
  ]);
  secrets.close();
  objects.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
