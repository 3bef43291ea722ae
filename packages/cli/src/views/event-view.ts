// Events in JSON (details parsed from its JSON text) and as one line each for people.
import type { Event } from "@gofer/proto";
import { humanizeEnum } from "../output/humanize.js";
import type { Output } from "../output/output.js";
import { int64 } from "./int64.js";
import { timeText } from "./time-text.js";

function parseDetails(details: string): unknown {
  if (details === "") return {};
  try {
    return JSON.parse(details);
  } catch {
    return details;
  }
}

export function eventJson(event: Event) {
  return {
    id: int64(event.id),
    kind: event.kind,
    emitted: int64(event.emitted),
    details: parseDetails(event.details),
  };
}

/** `#42  Started run  2 seconds ago  namespace_id=default pipeline_id=demo run_id=3` */
export function eventLine(event: Event, output: Output): string {
  const c = output.colors;
  const details = parseDetails(event.details);
  const summary =
    details && typeof details === "object"
      ? Object.entries(details as Record<string, unknown>)
          .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
          .join(" ")
      : String(details);
  return `${c.dim(`#${event.id}`)}  ${c.bold(humanizeEnum(event.kind))}  ${c.dim(timeText(event.emitted, output))}  ${summary}`;
}

export function eventDetails(event: Event, output: Output): string {
  const c = output.colors;
  return [
    `Event ${c.blue(`#${event.id}`)} :: ${humanizeEnum(event.kind)} (${event.kind})`,
    `  Emitted: ${timeText(event.emitted, output)}`,
    "",
    JSON.stringify(parseDetails(event.details), null, 2)
      .split("\n")
      .map((l) => `  ${l}`)
      .join("\n"),
  ].join("\n");
}
