// A whole server for benchmarks, started in this process: a temp data directory, the process engine, TLS on
// 127.0.0.1:0, auth off, and a client that trusts exactly the server's certificate. Extra config keys go in `set`.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GoferClient, type PipelineConfig, promiseClient } from "@gofer/proto";
import { createServer, createServerLogger, loadConfig, type ServerDeps } from "@gofer/server";
import * as grpc from "@grpc/grpc-js";

// BENCH_LOG=debug shows what the server does while a benchmark runs.
const logger = createServerLogger({ level: process.env.BENCH_LOG ?? "error", pretty: true });

export async function startBenchServer(set: Record<string, string | number | boolean> = {}, deps: ServerDeps = {}) {
  const dir = mkdtempSync(join(tmpdir(), "gofer-bench-"));
  const config = loadConfig({
    env: {},
    flags: {
      "server.host": "127.0.0.1:0",
      "external_events_api.host": "127.0.0.1:0",
      "server.storage_path": join(dir, "gofer.db"),
      "secret_store.sqlite.path": join(dir, "gofer-secret.db"),
      "object_store.sqlite.path": join(dir, "gofer-object.db"),
      "scheduler.engine": "process",
      "development.bypass_auth": true,
      "development.use_localhost_tls": true,
      "development.default_encryption": true,
      "triggers.install_base_triggers": false,
      "server.storage_results_limit": 5_000,
      task_execution_logs_dir: join(dir, "logs"),
      log_level: "error",
      ...set,
    },
  });
  const t0 = performance.now();
  const server = await createServer(config, { logger, ...deps });
  const startupMs = performance.now() - t0;
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
    startupMs,
    async stop() {
      client.close();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type BenchApi = Awaited<ReturnType<typeof startBenchServer>>["api"];

/** A pipeline with one task (in the busybox task image) and optional trigger subscriptions. */
export function taskPipeline(
  id: string,
  task: { id: string; command: string[] },
  triggers: PipelineConfig["triggers"] = [],
): PipelineConfig {
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
            id: task.id,
            description: "",
            image: "gofer-task-test:latest",
            registryAuth: undefined,
            dependsOn: {},
            variables: {},
            entrypoint: [],
            command: task.command,
          },
        },
      },
    ],
  };
}

/** A pipeline whose one task, "quick", exits at once. */
export function oneTaskPipeline(id: string, triggers: PipelineConfig["triggers"] = []): PipelineConfig {
  return taskPipeline(id, { id: "quick", command: ["sh", "-c", "true"] }, triggers);
}
