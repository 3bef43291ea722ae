// Task containers started per minute, sustained, on a real Docker daemon (this machine: 2 cores). A closed loop keeps
// BENCH_DOCKER_CONCURRENCY runs in flight (default 4), each one task running `true` in gofer-task-test through the
// whole server (StartRun → container created, started, followed, logged, waited → run COMPLETE), for
// BENCH_DOCKER_SECONDS (default 60). Exited containers stay until the end, as they would without pruning.
import { Run_RunState, Run_RunStatus } from "@gofer/proto";
import {
  removeContainersLabelled,
  requireDockerImages,
  sleep,
  startDockerServer,
  taskPipeline,
} from "./docker-bench-server.js";
import { printTable, quantile } from "./report.js";

requireDockerImages();
const CONCURRENCY = Number(process.env.BENCH_DOCKER_CONCURRENCY ?? 4);
const SECONDS = Number(process.env.BENCH_DOCKER_SECONDS ?? 60);
const pipelineId = `bench_throughput_${process.pid}`;

const s = await startDockerServer();
try {
  await s.api.createPipeline({ namespaceId: "default", pipelineConfig: taskPipeline(pipelineId, ["true"]) });
  const runMs: number[] = [];
  const startedAt = performance.now();
  const deadline = startedAt + SECONDS * 1000;
  let failed = 0;
  const worker = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      const run = (await s.api.startRun({ namespaceId: "default", pipelineId, variables: {}, initiator: undefined }))
        .run;
      const id = run?.id ?? 0n;
      for (;;) {
        const current = (await s.api.getRun({ namespaceId: "default", pipelineId, id })).run;
        if (current?.state === Run_RunState.COMPLETE) {
          if (current.status !== Run_RunStatus.SUCCESSFUL) failed += 1;
          break;
        }
        await sleep(25);
      }
      runMs.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const elapsedS = (performance.now() - startedAt) / 1000;
  runMs.sort((a, b) => a - b);
  printTable(`Task containers, sustained (docker engine, host networking, ${CONCURRENCY} runs in flight)`, [
    {
      seconds: Math.round(elapsedS * 10) / 10,
      "task containers": runMs.length,
      "per minute": Math.round((runMs.length * 60) / elapsedS),
      "failed runs": failed,
      "StartRun → COMPLETE p50 ms": Math.round(quantile(runMs, 0.5)),
      "p99 ms": Math.round(quantile(runMs, 0.99)),
    },
  ]);
} finally {
  await s.stop();
  removeContainersLabelled(`gofer.pipeline=${pipelineId}`);
}
