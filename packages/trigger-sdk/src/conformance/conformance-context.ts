// What every case group is handed: the compiled options, the trigger's profile, the clock, the run's signal and the
// recorder; and, once the server answers, the live session.
import type { Clock } from "@gofer/kernel/clock";
import type { CaseRecorder } from "./case-recorder.js";
import type { CompiledOptions } from "./options.js";
import type { TriggerProfile } from "./trigger-profile.js";

export interface ConformanceContext {
  readonly options: CompiledOptions;
  readonly profile: TriggerProfile;
  readonly clock: Clock;
  readonly signal: AbortSignal;
  readonly cases: CaseRecorder;
}

/**
 * The subscription the core cases use (l1), and the extended profile's: GOFER_PLUGIN_PARAM_ keys (l2), the 7-field
 * cron expression (l3), TIMEZONE (l4).
 */
export const NAMESPACE = "conformance";
export const PIPELINE = "p1";
export const LABEL = "l1";
export const PREFIXED_LABEL = "l2";
export const SEVEN_FIELD_LABEL = "l3";
export const TIMEZONE_LABEL = "l4";

/** A deadline for every unary call but Watch. */
export const CALL_TIMEOUT_MS = 5_000;

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

/** "1 event", "2 events". */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
