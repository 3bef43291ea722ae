// Which events `gofer event list` shows: --kind (an event kind by its wire name or as the CLI prints it, any case)
// and --pipeline (events naming that pipeline in its namespace). ListEventsRequest has only reverse and follow, so
// the CLI filters what the stream brings.

import { closestName } from "@gofer/kernel/closest-name";
import type { Event } from "@gofer/proto";
import { usageError } from "../exit-codes.js";
import { humanizeEnum } from "../output/humanize.js";

/** Event.kind values the server sends (spec §1.6). */
export const EVENT_KINDS = [
  "CREATED_NAMESPACE",
  "DELETED_NAMESPACE",
  "DISABLED_PIPELINE",
  "ENABLED_PIPELINE",
  "CREATED_PIPELINE",
  "DELETED_PIPELINE",
  "STARTED_RUN",
  "COMPLETED_RUN",
  "CREATED_TASKRUN",
  "STARTED_TASKRUN",
  "COMPLETED_TASKRUN",
  "INSTALLED_TRIGGER",
  "UNINSTALLED_TRIGGER",
  "ENABLED_TRIGGER",
  "DISABLED_TRIGGER",
  "INSTALLED_COMMON_TASK",
  "UNINSTALLED_COMMON_TASK",
  "ENABLED_COMMON_TASK",
  "DISABLED_COMMON_TASK",
  "FIRED_TRIGGER_EVENT",
  "PROCESSED_TRIGGER_EVENT",
  "RESOLVED_TRIGGER_EVENT",
  "EXPIRED_RUN_OBJECTS",
  "EVICTED_PIPELINE_OBJECT",
] as const;

/** "fired trigger event", "Fired-Trigger-Event" and "FIRED_TRIGGER_EVENT" all name FIRED_TRIGGER_EVENT. */
export function parseEventKind(text: string): string {
  const name = text
    .trim()
    .toUpperCase()
    .replace(/[\s-]+/g, "_");
  if ((EVENT_KINDS as readonly string[]).includes(name)) return name;
  const near = closestName(
    name.toLowerCase(),
    EVENT_KINDS.map((k) => k.toLowerCase()),
  )?.toUpperCase();
  throw usageError(
    `--kind ${JSON.stringify(text)} is not an event kind${near ? `; did you mean ${near} ("${humanizeEnum(near)}")?` : ""}`,
    `kinds: ${EVENT_KINDS.join(", ")}`,
  );
}

export interface EventFilter {
  /** Wire names; empty = every kind. */
  readonly kinds: readonly string[];
  readonly pipeline?: { readonly namespaceId: string; readonly id: string } | undefined;
}

export function eventMatches(event: Event, filter: EventFilter): boolean {
  if (filter.kinds.length > 0 && !filter.kinds.includes(event.kind)) return false;
  if (!filter.pipeline) return true;
  const details = parseObject(event.details);
  return details.namespace_id === filter.pipeline.namespaceId && details.pipeline_id === filter.pipeline.id;
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object" ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
