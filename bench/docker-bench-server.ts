// What the docker benchmarks share: a real server on the docker engine with host networking (all traffic on loopback),
// the offline-built images (`pnpm images`), and removal of the containers a benchmark made.
import { spawnSync } from "node:child_process";
import type { PipelineConfig } from "@gofer/proto";
import { taskPipeline as sharedTaskPipeline, startBenchServer } from "./bench-server.js";

export const TASK_IMAGE = "gofer-task-test:latest";
export const INTERVAL_IMAGE = "gofer-trigger-interval:latest";

/** Exits with a note (not a failure) when there is no daemon or the images are missing. */
export function requireDockerImages(): void {
  const info = spawnSync("docker", ["info", "--format", "{{.ServerVersion}}"], { encoding: "utf8", timeout: 15_000 });
  if (info.status !== 0) {
    console.log("skipped: no Docker daemon answers (start one, then `pnpm images`)\n");
    process.exit(0);
  }
  const images = spawnSync("docker", ["image", "inspect", TASK_IMAGE, INTERVAL_IMAGE], { encoding: "utf8" });
  if (images.status !== 0) {
    console.log(`skipped: ${TASK_IMAGE} or ${INTERVAL_IMAGE} missing: run \`pnpm images\`\n`);
    process.exit(0);
  }
}

export function startDockerServer(set: Record<string, string | number | boolean> = {}) {
  return startBenchServer({
    "scheduler.engine": "docker",
    "scheduler.docker.network": "host",
    run_parallelism_limit: 0,
    ...set,
  });
}

/** A pipeline whose one task, "task", runs `command` in the task image. */
export function taskPipeline(id: string, command: string[], triggers: PipelineConfig["triggers"] = []): PipelineConfig {
  return sharedTaskPipeline(id, { id: "task", command }, triggers);
}

/** Removes every container (running or not) carrying the label, through the CLI. */
export function removeContainersLabelled(label: string): void {
  const ids = spawnSync("docker", ["ps", "-aq", "--filter", `label=${label}`], { encoding: "utf8" })
    .stdout.split("\n")
    .filter(Boolean);
  for (let i = 0; i < ids.length; i += 100) spawnSync("docker", ["rm", "-f", "-v", ...ids.slice(i, i + 100)]);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
