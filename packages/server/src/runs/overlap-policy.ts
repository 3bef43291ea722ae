// What a subscription does with an event that comes while its pipeline already has runs (issue: a schedule that
// outpaces its tasks must not grow an unbounded queue). Set per subscription with the setting `overlap` in the
// pipeline config (it is the server's, never sent to the trigger):
//   allow       every event becomes a run, queued for a slot (the original's behaviour)
//   skip        no run while a run of this pipeline is queued or running
//   buffer-one  at most one run waits for a slot; further events while one waits are skipped (the default)
// An event not made a run for this resolves SKIPPED and says why.
import { InvalidArgumentError } from "../errors.js";

export type OverlapPolicy = "allow" | "skip" | "buffer-one";
export const OVERLAP_POLICIES: readonly OverlapPolicy[] = ["allow", "skip", "buffer-one"];
export const DEFAULT_OVERLAP: OverlapPolicy = "buffer-one";
/** The setting's key, matched without regard to case. */
export const OVERLAP_SETTING = "overlap";

export interface PipelineActivity {
  /** Runs waiting for a slot (submitted, not yet executing). */
  queued: number;
  running: number;
}

/** The policy a subscription's settings ask for (default buffer-one); an unknown value is an error naming it. */
export function overlapPolicyOf(settings: Record<string, string>, where = "subscription"): OverlapPolicy {
  const entry = Object.entries(settings).find(([key]) => key.toLowerCase() === OVERLAP_SETTING);
  if (!entry) return DEFAULT_OVERLAP;
  const value = entry[1].trim().toLowerCase();
  if ((OVERLAP_POLICIES as readonly string[]).includes(value)) return value as OverlapPolicy;
  throw new InvalidArgumentError(
    `${where}: setting "${entry[0]}" must be one of ${OVERLAP_POLICIES.join(", ")}; got ${JSON.stringify(entry[1])}`,
  );
}

/** Why an event makes no run under the policy, or undefined when it makes one. */
export function overlapSkipReason(policy: OverlapPolicy, activity: PipelineActivity): string | undefined {
  if (policy === "skip" && activity.queued + activity.running > 0) {
    return `Skipped by overlap policy "skip": a run of this pipeline is already ${activity.queued > 0 ? "queued" : "running"}.`;
  }
  if (policy === "buffer-one" && activity.queued > 0) {
    return `Skipped by overlap policy "buffer-one": a run of this pipeline is already waiting for a slot.`;
  }
  return undefined;
}
