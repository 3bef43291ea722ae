// Who may see which event, and what of it. Events are one server-wide log, so every read of it (GetEvent, ListEvents
// with and without follow) goes through here:
// - an event whose details name a namespace (`namespace_id`, spec §1.6) is shown only to callers that may access that
//   namespace; server-wide events (trigger and common-task installs) name none and are shown to every caller;
// - the values of `metadata` (FIRED_/RESOLVED_TRIGGER_EVENT: a manual run's StartRun variables, or what a trigger
//   attached to a run) are run variables and may be secrets, so every caller sees their names with the value
//   "(hidden)". The values stay readable where they belong: on the run (GetRun), for callers in its namespace.
import type { Event as ProtoEvent } from "@gofer/proto";
import { type AuthContext, canAccessNamespace } from "../auth/auth-context.js";
import { ANSWER_BUDGET_BYTES } from "./answer-budget.js";
import { toProtoEvent } from "./proto-convert.js";

export const HIDDEN_VALUE = "(hidden)";

/** What an oversized event keeps (spec §1.6 keys that name things). */
const IDENTIFYING_KEYS = new Set(["namespace_id", "pipeline_id", "run_id", "task_run_id", "name", "label", "status"]);

interface EventLike {
  id: number;
  kind: string;
  /** JSON text as stored, or the object as recorded. */
  details: string | Record<string, unknown>;
  emitted: number;
}

function parseDetails(details: string | Record<string, unknown>): Record<string, unknown> {
  if (typeof details !== "string") return details;
  try {
    const parsed: unknown = JSON.parse(details);
    return parsed !== null && typeof parsed === "object" ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function canSeeEvent(caller: AuthContext, details: Record<string, unknown>): boolean {
  if (caller.kind === "MANAGEMENT") return true;
  const namespace = details.namespace_id;
  if (namespace === undefined) return true;
  return typeof namespace === "string" && canAccessNamespace(caller, namespace);
}

export function hideEventValues(details: Record<string, unknown>): Record<string, unknown> {
  const metadata = details.metadata;
  if (metadata === null || typeof metadata !== "object") return details;
  return {
    ...details,
    metadata: Object.fromEntries(Object.keys(metadata).map((name) => [name, HIDDEN_VALUE])),
  };
}

/** The event as this caller may see it, or undefined when it belongs to a namespace the caller cannot access. */
export function toVisibleProtoEvent(caller: AuthContext, event: EventLike): ProtoEvent | undefined {
  const details = parseDetails(event.details);
  if (!canSeeEvent(caller, details)) return undefined;
  const shown = hideEventValues(details);
  // Unchanged details go out as stored, byte for byte.
  let text = shown === details && typeof event.details === "string" ? event.details : JSON.stringify(shown);
  // Each event is one ListEvents message: one stored before the input limits must not break the stream for all.
  if (text.length > ANSWER_BUDGET_BYTES / 3 && Buffer.byteLength(text) > ANSWER_BUDGET_BYTES) {
    text = JSON.stringify({
      ...Object.fromEntries(Object.entries(shown).filter(([key]) => IDENTIFYING_KEYS.has(key))),
      omitted: `details of ${Buffer.byteLength(text)} bytes left out: too large for one answer`,
    });
  }
  return toProtoEvent({ id: event.id, kind: event.kind, emitted: event.emitted, details: text });
}
