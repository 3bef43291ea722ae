// Waits for a freshly started trigger to answer Info (spec §2.3: 30 attempts, 300 ms apart, by default). Unlike the
// original, an Info that fails with CANCELLED is a failure like any other (spec §7 #24), never a silent success.
import type { TriggerInfoResponse } from "@gofer/proto";
import type { Clock } from "@gofer/trigger-sdk";
import { errorMessage } from "../errors.js";

export interface ReadinessPolicy {
  attempts: number;
  delayMs: number;
}

export class TriggerNotReadyError extends Error {
  override name = "TriggerNotReadyError";
}

export async function waitForReady(
  info: () => Promise<TriggerInfoResponse>,
  policy: ReadinessPolicy,
  clock: Clock,
  signal: AbortSignal,
): Promise<TriggerInfoResponse> {
  let lastError = "";
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    signal.throwIfAborted();
    try {
      return await info();
    } catch (error) {
      lastError = errorMessage(error);
    }
    if (attempt < policy.attempts) await clock.sleep(policy.delayMs, signal);
  }
  throw new TriggerNotReadyError(
    `trigger did not answer Info after ${policy.attempts} attempts ${policy.delayMs} ms apart; last error: ${lastError}`,
  );
}
