// `pnpm bench soak`: memory over a long run. 50 pipelines on `every: 2s`, one `true` task each, for 10 minutes by
// default (SOAK_PIPELINES, SOAK_EVERY, SOAK_SECONDS, SOAK_SAMPLE_SECONDS change that). Prints, over time, the server's
// heap after a full GC and its RSS, and each trigger's RSS; then the slope of the post-GC heap per 1,000 runs after a
// 30% warm-up (target: ≤ 50 KB per 1,000 runs).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { printTable } from "./report.js";
import { runSoak } from "./soak.js";

const dir = mkdtempSync(join(tmpdir(), "gofer-soak-"));
const pipelines = Number(process.env.SOAK_PIPELINES ?? 50);
const every = process.env.SOAK_EVERY ?? "2s";
const seconds = Number(process.env.SOAK_SECONDS ?? 600);
try {
  const result = await runSoak({
    pipelines,
    every,
    seconds,
    sampleEverySeconds: Number(process.env.SOAK_SAMPLE_SECONDS ?? Math.max(5, Math.round(seconds / 20))),
    warmup: 0.3,
    dir,
    onSample: (s) =>
      console.error(
        `${s.seconds}s runs=${s.runs} heap=${s.heapMb.toFixed(1)}MB rss=${s.rssMb.toFixed(0)}MB triggers=${s.triggersRssMb.map((r) => r.toFixed(0)).join("/")}MB`,
      ),
  });
  printTable(
    `Soak: ${pipelines} pipelines × every ${every}, ${seconds} s (server in-process, process engine)`,
    result.samples.map((s) => ({
      "time (s)": s.seconds,
      runs: s.runs,
      "server heap after GC (MB)": Number(s.heapMb.toFixed(1)),
      "server RSS (MB)": Number(s.rssMb.toFixed(0)),
      "trigger RSS (MB)": s.triggersRssMb.map((r) => r.toFixed(0)).join(", "),
    })),
  );
  printTable("Post-GC heap slope (after 30% warm-up)", [
    { runs: result.runs, "KB per 1,000 runs": Number(result.kbPer1000Runs.toFixed(1)), target: "≤ 50" },
  ]);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
