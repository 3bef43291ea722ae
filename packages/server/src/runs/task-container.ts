// How a task run becomes a container on the Scheduler: its name, its labels (which let orphan repair find it again
// after a crash, before its id was stored) and its spec.
import type { ContainerSpec } from "../scheduler/scheduler.js";
import type { TaskRun } from "./run.js";
import type { RunRef } from "./run-orchestrator.js";
import { toEnv } from "./task-run-variables.js";

/**
 * Unique per task run. Ids are limited to letters, digits, "_" and "-" (pipeline config validation), so "." cannot
 * occur in them and the parts never run together ("a_b"+"c" vs "a"+"b_c").
 */
export function taskContainerName(ref: RunRef, taskId: string): string {
  return `task.${ref.namespaceId}.${ref.pipelineId}.${ref.runId}.${taskId}`;
}

export function taskContainerLabels(ref: RunRef, taskId: string): Record<string, string> {
  return {
    gofer: "true",
    "gofer.kind": "task",
    "gofer.namespace": ref.namespaceId,
    "gofer.pipeline": ref.pipelineId,
    "gofer.run": String(ref.runId),
    "gofer.task": taskId,
  };
}

/** @param env the task's environment with store references resolved (default: the stored variables as they are). */
export function taskContainerSpec(ref: RunRef, taskRun: TaskRun, env?: Record<string, string>): ContainerSpec {
  const task = taskRun.task;
  return {
    name: taskContainerName(ref, task.id),
    image: task.image,
    ...(task.registryAuth ? { registryAuth: { ...task.registryAuth } } : {}),
    env: env ?? toEnv(taskRun.variables),
    ...(task.entrypoint ? { entrypoint: [...task.entrypoint] } : {}),
    ...(task.command ? { command: [...task.command] } : {}),
    labels: taskContainerLabels(ref, task.id),
  };
}
