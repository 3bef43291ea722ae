// Task runs in JSON (proto field names; the task as custom_task or common_task) and for people.
import {
  type TaskRun,
  taskRun_TaskRunStateToJSON,
  taskRun_TaskRunStatusToJSON,
  taskRunStatusReason_ReasonToJSON,
} from "@gofer/proto";
import { humanizeEnum } from "../output/humanize.js";
import type { Output } from "../output/output.js";
import { stateLabel } from "../output/state-label.js";
import { renderTable } from "../output/table.js";
import { int64 } from "./int64.js";
import { customTaskJson, variableJson } from "./pipeline-view.js";
import { durationText } from "./run-view.js";
import { timeText } from "./time-text.js";

/**
 * The exit code, or undefined when the task's end was not observed: the wire (int64, v0.4) carries 0 for "none", so a
 * FAILED task run whose reason says its end was never seen (orphaned, the engine failed, an internal error) has none.
 */
export function observedExitCode(taskRun: TaskRun): bigint | undefined {
  if (taskRun_TaskRunStateToJSON(taskRun.state) !== "COMPLETE" || taskRun.started === 0n) return undefined;
  const reason = taskRun.statusReason ? taskRunStatusReason_ReasonToJSON(taskRun.statusReason.reason) : "";
  const unobserved = ["ORPHANED", "SCHEDULER_ERROR", "UNKNOWN"].includes(reason);
  return unobserved && taskRun.exitCode === 0n ? undefined : taskRun.exitCode;
}

export function taskRunJson(taskRun: TaskRun) {
  const task = taskRun.task;
  return {
    namespace: taskRun.namespace,
    pipeline: taskRun.pipeline,
    run: int64(taskRun.run),
    id: taskRun.id,
    created: int64(taskRun.created),
    started: int64(taskRun.started),
    ended: int64(taskRun.ended),
    exit_code: (() => {
      const code = observedExitCode(taskRun);
      return code === undefined ? null : int64(code);
    })(),
    state: taskRun_TaskRunStateToJSON(taskRun.state),
    status: taskRun_TaskRunStatusToJSON(taskRun.status),
    status_reason: taskRun.statusReason
      ? {
          reason: taskRunStatusReason_ReasonToJSON(taskRun.statusReason.reason),
          description: taskRun.statusReason.description,
        }
      : null,
    logs_expired: taskRun.logsExpired,
    logs_removed: taskRun.logsRemoved,
    ...(task?.$case === "customTask" ? { custom_task: customTaskJson(task.value) } : {}),
    ...(task?.$case === "commonTask"
      ? { common_task: { name: task.value.settings?.name ?? "", label: task.value.settings?.label ?? "" } }
      : {}),
    variables: taskRun.variables.map(variableJson),
  };
}

function statusText(taskRun: TaskRun, output: Output): string {
  const state = taskRun_TaskRunStateToJSON(taskRun.state);
  return state === "COMPLETE" ? stateLabel(taskRun_TaskRunStatusToJSON(taskRun.status), output.colors) : "-";
}

export function taskRunTable(taskRuns: readonly TaskRun[], output: Output): string {
  if (taskRuns.length === 0) return "No task runs yet.";
  const c = output.colors;
  return renderTable(
    ["ID", "State", "Status", "Started", "Duration", "Exit code"],
    taskRuns.map((t) => [
      c.blue(t.id),
      stateLabel(taskRun_TaskRunStateToJSON(t.state), c),
      statusText(t, output),
      timeText(t.started, output),
      durationText(t.started, t.ended, output),
      String(observedExitCode(t) ?? "-"),
    ]),
    c,
  );
}

export function taskRunDetails(taskRun: TaskRun, output: Output): string {
  const c = output.colors;
  const state = taskRun_TaskRunStateToJSON(taskRun.state);
  const image = taskRun.task?.$case === "customTask" ? taskRun.task.value.image : "";
  const lines = [
    `Task run ${c.blue(JSON.stringify(taskRun.id))} of run #${taskRun.run} (${taskRun.pipeline}) :: ${stateLabel(state, c)}${state === "COMPLETE" ? ` :: ${statusText(taskRun, output)}` : ""}`,
    "",
    ...(image ? [`  Image: ${image}`] : []),
    `  Started: ${timeText(taskRun.started, output)}`,
    `  Duration: ${durationText(taskRun.started, taskRun.ended, output)}`,
    ...(state === "COMPLETE" && taskRun.started !== 0n
      ? [`  Exit code: ${observedExitCode(taskRun) ?? "none (the task's end was not observed)"}`]
      : []),
  ];
  if (taskRun.statusReason && taskRun.statusReason.reason !== 0) {
    lines.push(
      `  Reason: ${humanizeEnum(taskRunStatusReason_ReasonToJSON(taskRun.statusReason.reason))}: ${taskRun.statusReason.description}`,
    );
  }
  if (taskRun.logsExpired || taskRun.logsRemoved) lines.push(`  Logs: ${taskRun.logsRemoved ? "removed" : "expired"}`);
  if (output.detail && taskRun.variables.length > 0) {
    lines.push(
      "",
      c.bold("Variables:"),
      ...taskRun.variables.map((v) => `  ${v.key}=${v.value} ${c.dim(`(${v.source})`)}`),
    );
  }
  return lines.join("\n");
}
