// Triggers in JSON (proto field names, enum names, epoch-ms numbers) and for people.
import { type Trigger, trigger_TriggerStateToJSON, trigger_TriggerStatusToJSON } from "@gofer/proto";
import type { Output } from "../output/output.js";
import { stateLabel } from "../output/state-label.js";
import { renderTable } from "../output/table.js";
import { int64 } from "./int64.js";
import { timeText } from "./time-text.js";

export function triggerJson(trigger: Trigger) {
  return {
    name: trigger.name,
    image: trigger.image,
    url: trigger.url,
    started: int64(trigger.started),
    state: trigger_TriggerStateToJSON(trigger.state),
    status: trigger_TriggerStatusToJSON(trigger.status),
    documentation: trigger.documentation,
    kind: trigger.kind || "trigger",
  };
}

/** `gofer trigger get`: the trigger with how its fired events resolved (ours; empty from a v0.4 server). */
export function triggerGetJson(trigger: Trigger) {
  return { ...triggerJson(trigger), event_outcomes: outcomeCounts(trigger.eventOutcomes) };
}

export function outcomeCounts(counts: Readonly<Record<string, bigint>>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(counts)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, value]) => [key, int64(value)]),
  );
}

/** "Events:" lines: every outcome with its count, runs started first; a note when there are none. */
export function outcomeLines(counts: Readonly<Record<string, bigint>>): string[] {
  const entries = Object.entries(outcomeCounts(counts)).sort(
    ([a], [b]) => Number(b === "runs_started") - Number(a === "runs_started") || a.localeCompare(b),
  );
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  if (total === 0) return ["  No trigger events resolved yet"];
  return [`  ${total} fired`, ...entries.map(([key, n]) => `  ${key.replaceAll("_", " ")}: ${n}`)];
}

export function triggerTable(triggers: readonly Trigger[], output: Output): string {
  if (triggers.length === 0) return 'No triggers installed. Install one with "gofer trigger install <name> <image>".';
  const c = output.colors;
  return renderTable(
    ["Name", "Kind", "Image", "URL", "Status", "State", "Started", "Documentation"],
    triggers.map((t) => [
      c.blue(t.name),
      t.kind || "trigger",
      t.image,
      t.url || "-",
      stateLabel(trigger_TriggerStatusToJSON(t.status), c),
      stateLabel(trigger_TriggerStateToJSON(t.state), c),
      timeText(t.started, output),
      t.documentation || "-",
    ]),
    c,
  );
}

export function triggerDetails(trigger: Trigger, output: Output): string {
  const c = output.colors;
  return [
    `Trigger ${c.blue(JSON.stringify(trigger.name))} :: ${stateLabel(trigger_TriggerStatusToJSON(trigger.status), c)} :: ${stateLabel(trigger_TriggerStateToJSON(trigger.state), c)}`,
    "",
    `  Kind: ${trigger.kind || "trigger"}`,
    `  Image: ${trigger.image}`,
    `  Started: ${timeText(trigger.started, output)}`,
    `  Endpoint: ${trigger.url || "-"}`,
    `  Documentation: ${trigger.documentation || "No documentation found"}`,
    "",
    c.bold("Events:"),
    ...outcomeLines(trigger.eventOutcomes),
  ].join("\n");
}
