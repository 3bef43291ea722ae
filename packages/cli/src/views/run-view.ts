// Runs in JSON (proto field names) and for people.
import {
  type Run,
  run_RunStateToJSON,
  run_RunStatusToJSON,
  runStatusReason_RunStatusReasonKindToJSON,
} from "@gofer/proto";
import { formatDuration, humanizeEnum } from "../output/humanize.js";
import type { Output } from "../output/output.js";
import { stateLabel } from "../output/state-label.js";
import { renderTable } from "../output/table.js";
import { int64 } from "./int64.js";
import { variableJson } from "./pipeline-view.js";
import { timeText } from "./time-text.js";

export function runJson(run: Run) {
  return {
    namespace: run.namespace,
    pipeline: run.pipeline,
    id: int64(run.id),
    started: int64(run.started),
    ended: int64(run.ended),
    state: run_RunStateToJSON(run.state),
    status: run_RunStatusToJSON(run.status),
    status_reason: run.statusReason
      ? {
          reason: runStatusReason_RunStatusReasonKindToJSON(run.statusReason.reason),
          description: run.statusReason.description,
        }
      : null,
    task_runs: [...run.taskRuns],
    trigger: run.trigger ? { name: run.trigger.name, label: run.trigger.label } : null,
    variables: run.variables.map(variableJson),
    store_objects_expired: run.storeObjectsExpired,
  };
}

/** "3s", "running for 12s", or "-" when it has not started. */
export function durationText(started: bigint, ended: bigint, output: Output): string {
  if (started === 0n) return "-";
  if (ended === 0n) return `running for ${formatDuration(output.now().getTime() - Number(started))}`;
  return formatDuration(Number(ended - started));
}

/** Status, or the state while it is not complete (a pending run's status is still unknown). */
export function runStatusText(run: Run, output: Output): string {
  const state = run_RunStateToJSON(run.state);
  return state === "COMPLETE"
    ? stateLabel(run_RunStatusToJSON(run.status), output.colors)
    : stateLabel(state, output.colors);
}

function triggerText(run: Run): string {
  return run.trigger ? `${run.trigger.name} (${run.trigger.label})` : "-";
}

export function runTable(runs: readonly Run[], output: Output): string {
  if (runs.length === 0) return "No runs yet.";
  const c = output.colors;
  return renderTable(
    ["ID", "State", "Status", "Started", "Duration", "Triggered by"],
    runs.map((r) => [
      c.blue(String(r.id)),
      stateLabel(run_RunStateToJSON(r.state), c),
      run_RunStateToJSON(r.state) === "COMPLETE" ? stateLabel(run_RunStatusToJSON(r.status), c) : "-",
      timeText(r.started, output),
      durationText(r.started, r.ended, output),
      triggerText(r),
    ]),
    c,
  );
}

export function runSummary(run: Run, output: Output): string {
  const c = output.colors;
  const lines = [
    `Run ${c.blue(`#${run.id}`)} of pipeline ${c.blue(JSON.stringify(run.pipeline))} :: ${runStatusText(run, output)}`,
    "",
    `  Started: ${timeText(run.started, output)}`,
    `  Duration: ${durationText(run.started, run.ended, output)}`,
    `  Triggered by: ${triggerText(run)}`,
  ];
  if (run.statusReason && run.statusReason.reason !== 0) {
    lines.push(
      `  Reason: ${humanizeEnum(runStatusReason_RunStatusReasonKindToJSON(run.statusReason.reason))}: ${run.statusReason.description}`,
    );
  }
  if (output.detail && run.variables.length > 0) {
    lines.push(
      "",
      c.bold("Variables:"),
      ...run.variables.map((v) => `  ${v.key}=${v.value} ${c.dim(`(${v.source})`)}`),
    );
  }
  return lines.join("\n");
}
