// A fired event as it reaches the server: from a trigger's Watch (triggers/watcher.ts) or from a v0.5 extension's
// StartRun (triggers/extension-runs.ts). Part of the event vocabulary, so producers and the event processing that
// turns it into a run share it without importing each other.

import type { SubscriptionKey } from "@gofer/kernel";

export type EventResultName = "UNKNOWN" | "SUCCESS" | "FAILURE" | "SKIPPED";

/** One event as a trigger reported it, tagged with the name of the trigger that emitted it. */
export interface FiredEvent extends SubscriptionKey {
  triggerName: string;
  result: EventResultName;
  details: string;
  metadata: Record<string, string>;
}

/**
 * What the producer knows of what follows: `more` says another event is on its way at once (the trigger answered
 * Watch from a backlog), so the event may wait a moment to be recorded together with the next ones (one commit for
 * several). Without it an event is recorded as soon as the event loop allows.
 */
export interface FiredEventHint {
  readonly more: boolean;
}

/** Records a fired event durably; resolves once it is. */
export type RecordFiredEvent = (event: FiredEvent, hint?: FiredEventHint) => Promise<void>;
