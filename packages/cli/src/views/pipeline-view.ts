// Pipelines in JSON (proto field names: custom_tasks keyed by id, triggers keyed by label) and for people.
import {
  type CustomTask,
  customTask_RequiredParentStatusToJSON,
  type Pipeline,
  pipeline_ErrorKindToJSON,
  pipeline_PipelineStateToJSON,
  pipelineCommonTaskSettings_RequiredParentStatusToJSON,
  type Variable,
} from "@gofer/proto";
import { humanizeEnum, truncate } from "../output/humanize.js";
import type { Output } from "../output/output.js";
import { stateLabel } from "../output/state-label.js";
import { renderTable } from "../output/table.js";
import { int64 } from "./int64.js";
import { timeText } from "./time-text.js";
import { outcomeCounts, outcomeLines } from "./trigger-view.js";

const mapValues = <V, W>(map: Readonly<Record<string, V>>, f: (value: V) => W): Record<string, W> =>
  Object.fromEntries(Object.entries(map).map(([k, v]) => [k, f(v)]));

export function variableJson(variable: Variable) {
  return { key: variable.key, value: variable.value, source: variable.source };
}

export function customTaskJson(task: CustomTask) {
  return {
    id: task.id,
    description: task.description,
    image: task.image,
    registry_auth: task.registryAuth ? { user: task.registryAuth.user, pass: task.registryAuth.pass } : null,
    depends_on: mapValues(task.dependsOn, customTask_RequiredParentStatusToJSON),
    variables: task.variables.map(variableJson),
    entrypoint: [...task.entrypoint],
    command: [...task.command],
  };
}

export function pipelineJson(pipeline: Pipeline) {
  return {
    namespace: pipeline.namespace,
    id: pipeline.id,
    name: pipeline.name,
    description: pipeline.description,
    parallelism: int64(pipeline.parallelism),
    created: int64(pipeline.created),
    modified: int64(pipeline.modified),
    state: pipeline_PipelineStateToJSON(pipeline.state),
    custom_tasks: mapValues(pipeline.customTasks, customTaskJson),
    triggers: mapValues(pipeline.triggers, (t) => ({ name: t.name, label: t.label, settings: { ...t.settings } })),
    common_tasks: mapValues(pipeline.commonTasks, (t) => ({
      name: t.name,
      label: t.label,
      description: t.description,
      depends_on: mapValues(t.dependsOn, pipelineCommonTaskSettings_RequiredParentStatusToJSON),
      settings: { ...t.settings },
    })),
    errors: pipeline.errors.map((e) => ({ kind: pipeline_ErrorKindToJSON(e.kind), description: e.description })),
  };
}

export function pipelineTable(pipelines: readonly Pipeline[], output: Output): string {
  if (pipelines.length === 0) return 'No pipelines yet. Create one with "gofer pipeline create <path>".';
  const c = output.colors;
  return renderTable(
    ["ID", "Name", "State", "Tasks", "Created", "Description"],
    pipelines.map((p) => [
      c.blue(p.id),
      p.name,
      stateLabel(pipeline_PipelineStateToJSON(p.state), c),
      String(Object.keys(p.customTasks).length + Object.keys(p.commonTasks).length),
      timeText(p.created, output),
      output.detail ? p.description : truncate(p.description || "-", 50),
    ]),
    c,
  );
}

function commandText(args: readonly string[]): string {
  return args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(" ");
}

/** `gofer pipeline get`: the pipeline with its event outcome counts and runs waiting for a slot (ours). */
export function pipelineGetJson(pipeline: Pipeline) {
  return {
    ...pipelineJson(pipeline),
    event_outcomes: outcomeCounts(pipeline.eventOutcomes),
    queued_runs: int64(pipeline.queuedRuns),
  };
}

export function pipelineDetails(pipeline: Pipeline, output: Output): string {
  const c = output.colors;
  const lines = [
    `Pipeline ${c.blue(`[${pipeline.id}]`)} ${JSON.stringify(pipeline.name)} :: ${stateLabel(pipeline_PipelineStateToJSON(pipeline.state), c)}`,
  ];
  if (pipeline.description)
    lines.push(
      "",
      ...pipeline.description
        .trim()
        .split("\n")
        .map((l) => `  ${l}`),
    );
  lines.push(
    "",
    `  Namespace: ${pipeline.namespace}`,
    `  Parallelism: ${pipeline.parallelism === 0n ? "the server's limit" : String(pipeline.parallelism)}`,
    `  Created: ${timeText(pipeline.created, output)}`,
    `  Modified: ${timeText(pipeline.modified, output)}`,
    "",
    c.bold("Tasks:"),
  );
  for (const task of Object.values(pipeline.customTasks)) {
    lines.push(`  • ${c.blue(task.id)} ${c.dim(`(${task.image})`)}${task.description ? `: ${task.description}` : ""}`);
    const parents = Object.entries(task.dependsOn);
    if (parents.length > 0) {
      lines.push(
        `      depends on: ${parents.map(([id, s]) => `${id} (${humanizeEnum(customTask_RequiredParentStatusToJSON(s))})`).join(", ")}`,
      );
    }
    if (task.entrypoint.length > 0) lines.push(`      entrypoint: ${commandText(task.entrypoint)}`);
    if (task.command.length > 0) lines.push(`      command: ${commandText(task.command)}`);
    if (task.registryAuth?.user) lines.push(`      registry user: ${task.registryAuth.user}`);
    if (output.detail)
      for (const v of task.variables) lines.push(`      ${v.key}=${v.value} ${c.dim(`(${v.source})`)}`);
  }
  for (const task of Object.values(pipeline.commonTasks)) {
    lines.push(
      `  • ${c.blue(task.label)} ${c.dim(`(common task ${task.name})`)}${task.description ? `: ${task.description}` : ""}`,
    );
  }
  const triggers = Object.values(pipeline.triggers);
  if (triggers.length > 0) {
    lines.push("", c.bold("Triggers:"));
    for (const t of triggers) {
      const settings = Object.entries(t.settings).map(([k, v]) => `${k}=${v}`);
      lines.push(`  • ${c.blue(t.label)} → ${t.name}${settings.length > 0 ? c.dim(`  ${settings.join(" ")}`) : ""}`);
    }
  }
  lines.push("", c.bold("Events:"), ...outcomeLines(pipeline.eventOutcomes));
  lines.push(`  runs waiting for a slot: ${int64(pipeline.queuedRuns)}`);
  if (pipeline.errors.length > 0) {
    lines.push("", c.bold(c.red("Errors:")));
    for (const e of pipeline.errors)
      lines.push(`  ${c.red("!")} ${humanizeEnum(pipeline_ErrorKindToJSON(e.kind))}: ${e.description}`);
  }
  return lines.join("\n");
}
