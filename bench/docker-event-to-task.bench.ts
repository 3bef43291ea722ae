// Trigger event → task container running, on a real Docker daemon with a local image (target p50 ≤ 400 ms).
// The interval trigger runs as a container and fires every second; each event becomes a run whose one task runs
// `true` in gofer-task-test. Measured from the server receiving the event (FIRED_TRIGGER_EVENT emitted) to the task
// run recorded RUNNING, which happens once the daemon has started its container. Events are a second apart, so each
// one is measured alone. BENCH_DOCKER_EVENTS (default 30) bounds the count; the first 2 are warm-up.

import {
  INTERVAL_IMAGE,
  removeContainersLabelled,
  requireDockerImages,
  sleep,
  startDockerServer,
  taskPipeline,
} from "./docker-bench-server.js";
import { printTable, quantile } from "./report.js";

requireDockerImages();
const EVENTS = Number(process.env.BENCH_DOCKER_EVENTS ?? 30);
const WARMUP = 2;
const trigger = `bench${process.pid}`;
const pipelineId = `bench_event_${process.pid}`;

const s = await startDockerServer();
try {
  await s.api.installTrigger({
    name: trigger,
    image: INTERVAL_IMAGE,
    user: "",
    pass: "",
    variables: { MIN_DURATION: "1s" },
  });
  await s.api.createPipeline({
    namespaceId: "default",
    pipelineConfig: taskPipeline(pipelineId, ["true"], [{ name: trigger, label: "tick", settings: { EVERY: "1s" } }]),
  });
  const total = EVENTS + WARMUP;
  for (;;) {
    const ok = await s.api
      .getTaskRun({ namespaceId: "default", pipelineId, runId: BigInt(total), id: "task" })
      .then((r) => Number(r.taskRun?.started ?? 0n) > 0)
      .catch(() => false);
    if (ok) break;
    await sleep(500);
  }

  const fired: number[] = [];
  for await (const item of s.client.listEvents({ reverse: false, follow: false })) {
    const event = item.event;
    if (event?.kind !== "FIRED_TRIGGER_EVENT") continue;
    const details = JSON.parse(event.details) as { pipeline_id?: string };
    if (details.pipeline_id === pipelineId) fired.push(Number(event.emitted));
  }
  const latencies: number[] = [];
  for (let runId = WARMUP + 1; runId <= total; runId++) {
    const run = (await s.api.getRun({ namespaceId: "default", pipelineId, id: BigInt(runId) })).run;
    const taskRun = (await s.api.getTaskRun({ namespaceId: "default", pipelineId, runId: BigInt(runId), id: "task" }))
      .taskRun;
    // Runs and FIRED events of one subscription are created in the same order.
    const firedMs = fired[runId - 1];
    if (run && taskRun && firedMs !== undefined) latencies.push(Number(taskRun.started) - firedMs);
  }
  latencies.sort((a, b) => a - b);
  printTable("Trigger event → task container running (docker engine, host networking, local image)", [
    {
      events: latencies.length,
      "p50 ms": quantile(latencies, 0.5),
      "p99 ms": quantile(latencies, 0.99),
      "min ms": quantile(latencies, 0),
      "max ms": quantile(latencies, 1),
      "target p50 ms": 400,
    },
  ]);
} finally {
  await s.stop();
  removeContainersLabelled(`gofer.pipeline=${pipelineId}`);
  removeContainersLabelled(`gofer.trigger=${trigger}`);
}
