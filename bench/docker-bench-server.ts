// What the docker benchmarks share: a real server on the docker engine with host networking (all traffic on loopback),
// the offline-built images (`pnpm images`), and removal of the containers a benchmark made.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GoferClient, type PipelineConfig, promiseClient } from "@gofer/proto";
import { createServer, createServerLogger, loadConfig } from "@gofer/server";
import * as grpc from "@grpc/grpc-js";

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

export async function startDockerServer(set: Record<string, string | number | boolean> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "gofer-bench-docker-"));
  const config = loadConfig({
    env: {},
    flags: {
      "server.host": "127.0.0.1:0",
      "server.storage_path": join(dir, "gofer.db"),
      "scheduler.engine": "docker",
      "scheduler.docker.network": "host",
      "development.bypass_auth": true,
      "development.use_localhost_tls": true,
      "development.default_encryption": true,
      "triggers.install_base_triggers": false,
      task_execution_logs_dir: join(dir, "logs"),
      run_parallelism_limit: 0,
      "server.storage_results_limit": 5_000,
      log_level: "error",
      ...set,
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
  return {
    server,
    client,
    api: promiseClient(client),
    async stop() {
      client.close();
      await server.stop("benchmark finished");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function taskPipeline(id: string, command: string[], triggers: PipelineConfig["triggers"] = []): PipelineConfig {
  return {
    id,
    name: id,
    description: "",
    parallelism: 0n,
    triggers,
    tasks: [
      {
        task: {
          $case: "customTask",
          value: {
            id: "task",
            description: "",
            image: TASK_IMAGE,
            registryAuth: undefined,
            dependsOn: {},
            variables: {},
            entrypoint: [],
            command,
          },
        },
      },
    ],
  };
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
