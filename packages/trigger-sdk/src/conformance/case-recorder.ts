// Runs one named case at a time and records its outcome. A case body returns pass/warn/skip with a message, or throws:
// a CaseFailure (or any other error) makes the case fail with that message; an abort of the run is re-thrown.
import type { Clock } from "@gofer/kernel/clock";
import type { ConformanceProfile } from "./options.js";
import type { CaseResult, CaseStatus } from "./report.js";

/** Thrown by a case body to fail the case with a message naming what was expected and what was seen. */
export class CaseFailure extends Error {
  override name = "CaseFailure";
}

export interface CaseOutcome {
  readonly status: Exclude<CaseStatus, "fail">;
  readonly message: string;
}

export const pass = (message = ""): CaseOutcome => ({ status: "pass", message });
export const warn = (message: string): CaseOutcome => ({ status: "warn", message });
export const skip = (message: string): CaseOutcome => ({ status: "skip", message });

export class CaseRecorder {
  private readonly recorded: CaseResult[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly signal: AbortSignal,
    private readonly onResult: ((result: CaseResult) => void) | undefined,
  ) {}

  get results(): readonly CaseResult[] {
    return this.recorded;
  }

  /**
   * Runs a case of the core profile; `skipReason` (when defined) records it as skipped without running it. Extended
   * cases go through `runExtended`.
   */
  run(id: string, title: string, body: () => Promise<CaseOutcome>, skipReason?: string): Promise<CaseResult> {
    return this.runIn("core", id, title, body, skipReason);
  }

  /** Runs a case of the extended profile (its id starts with "ext."). */
  runExtended(id: string, title: string, body: () => Promise<CaseOutcome>, skipReason?: string): Promise<CaseResult> {
    return this.runIn("extended", id, title, body, skipReason);
  }

  private async runIn(
    profile: ConformanceProfile,
    id: string,
    title: string,
    body: () => Promise<CaseOutcome>,
    skipReason: string | undefined,
  ): Promise<CaseResult> {
    this.signal.throwIfAborted();
    if (skipReason !== undefined) {
      return this.record({ id, profile, title, status: "skip", message: skipReason, durationMs: 0 });
    }
    const startedMs = this.clock.now().getTime();
    let status: CaseStatus;
    let message: string;
    try {
      ({ status, message } = await body());
    } catch (error) {
      if (this.signal.aborted) throw this.signal.reason;
      status = "fail";
      message = error instanceof CaseFailure ? error.message : `unexpected error: ${describeError(error)}`;
    }
    return this.record({ id, profile, title, status, message, durationMs: this.clock.now().getTime() - startedMs });
  }

  private record(result: CaseResult): CaseResult {
    this.recorded.push(result);
    this.onResult?.(result);
    return result;
  }
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
