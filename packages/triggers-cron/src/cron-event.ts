// The event a fired schedule queues: the original's details text (spec §4) plus the scheduled time as metadata, so
// Gofer can tell a repeated delivery of one scheduled time from the next scheduled time.
import type { EventInput } from "@gofer/trigger-sdk";

export const SCHEDULED_TIME_KEY = "GOFER_TRIGGER_CRON_SCHEDULED_TIME";

export function cronEvent(expression: string, scheduledAt: Date): EventInput {
  return {
    result: "SUCCESS",
    details: `Triggered due to current time "${formatRfc1123(scheduledAt)}" being within the timeframe expression "${expression}"`,
    metadata: { [SCHEDULED_TIME_KEY]: formatRfc3339(scheduledAt) },
  };
}

/**
 * Go's time.RFC1123 ("Mon, 02 Jan 2006 15:04:05 MST") of a UTC time, as the original printed it in its UTC
 * container. Always UTC, also with TIMEZONE set, so the text agrees with the metadata.
 */
export function formatRfc1123(time: Date): string {
  return time.toUTCString().replace(/GMT$/, "UTC");
}

/** Go's time.RFC3339 of a UTC time: whole seconds, "Z". */
export function formatRfc3339(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, "Z");
}
