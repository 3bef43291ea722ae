// What the real-daemon docker tests share: a whole server on the docker engine with host networking (every container
// listens on its own 127.0.0.1 port, so all traffic stays on loopback), unique names so that test files running at
// once never replace each other's trigger_<name> containers, and cleanup of exactly the containers a test made.
import { randomBytes } from "node:crypto";
import type { PipelineConfig } from "@gofer/proto";
import { connectDocker, type DockerContainerSummary } from "../src/scheduler/docker-api.js";
import { startTestServer, type TestServer, type TestServerOptions } from "./server-harness.js";

export const TASK_IMAGE = "gofer-task-test:latest";
export const INTERVAL_IMAGE = "gofer-trigger-interval:latest";
export const WAIT = { timeout: 30_000, interval: 100 };

export const docker = connectDocker();

export function uniqueId(prefix: string): string {
  return `${prefix}${randomBytes(4).toString("hex")}`;
}

/** The daemon-wide name of a container the server names `name` (scoped to its instance: many servers, one daemon). */
export function containerName(s: TestServer, name: string): string {
  return `gofer-${s.server.instanceId}-${name}`;
}

export function startDockerServer(options: TestServerOptions = {}): Promise<TestServer> {
  return startTestServer({
    ...options,
    set: {
      "scheduler.engine": "docker",
      "scheduler.docker.network": "host",
      task_execution_stop_timeout: "2s",
      ...options.set,
    },
  });
}

export interface TaskInput {
  id: string;
  command: string[];
  image?: string;
  variables?: Record<string, string>;
}

export function pipelineConfig(
  id: string,
  tasks: TaskInput[],
  triggers: PipelineConfig["triggers"] = [],
): PipelineConfig {
  return {
    id,
    name: id,
    description: "",
    parallelism: 0n,
    triggers,
    tasks: tasks.map((task) => ({
      task: {
        $case: "customTask" as const,
        value: {
          id: task.id,
          description: "",
          image: task.image ?? TASK_IMAGE,
          registryAuth: undefined,
          dependsOn: {},
          variables: task.variables ?? {},
          entrypoint: [],
          command: task.command,
        },
      },
    })),
  };
}

/** Containers carrying all the labels (running only, unless `all`). */
export async function containersLabelled(
  labels: Record<string, string>,
  options: { all?: boolean } = {},
): Promise<DockerContainerSummary[]> {
  return docker.listContainers({
    all: options.all ?? false,
    filters: JSON.stringify({ label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) }),
  });
}

/** Force-removes every container carrying all the labels (test cleanup). */
export async function removeContainersLabelled(labels: Record<string, string>): Promise<void> {
  const found = await containersLabelled(labels, { all: true });
  await Promise.all(
    found.map((c) =>
      docker
        .getContainer(c.Id)
        .remove({ force: true, v: true })
        .catch(() => {}),
    ),
  );
}

/** The output lines of a task run through GetTaskRunLogs (follows while it runs). */
export async function taskRunLogLines(
  s: TestServer,
  pipelineId: string,
  runId: bigint,
  taskId: string,
): Promise<string[]> {
  const lines: string[] = [];
  for await (const response of s.client.getTaskRunLogs({ namespaceId: "default", pipelineId, runId, id: taskId })) {
    lines.push(response.logLine);
  }
  return lines;
}
