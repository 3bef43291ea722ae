// WaitForRun: resolves with the run once it is COMPLETE, heard as its COMPLETED_RUN event on the EventLog.
import type { EventLog } from "../events/event-log.js";
import type { Run } from "./run.js";
import type { RunRef } from "./run-orchestrator.js";
import type { RunStore } from "./run-store.js";

/** Resolves at once for a complete run; rejects with the signal's reason when it aborts first. */
export function waitForRun(
  store: Pick<RunStore, "findRun">,
  eventLog: Pick<EventLog, "listen">,
  ref: RunRef,
  signal?: AbortSignal,
): Promise<Run> {
  return new Promise<Run>((resolve, reject) => {
    const listening = new AbortController();
    const settle = (outcome: () => void) => {
      if (listening.signal.aborted) return;
      listening.abort();
      outcome();
    };
    const check = () =>
      store.findRun(ref).then(
        (run) => {
          if (run.state === "COMPLETE") settle(() => resolve(run));
        },
        (error: unknown) => settle(() => reject(error)),
      );
    // Listen before looking, so a completion between the two is not missed.
    eventLog.listen((event) => {
      const details = event.details;
      if (
        event.kind === "COMPLETED_RUN" &&
        details.namespace_id === ref.namespaceId &&
        details.pipeline_id === ref.pipelineId &&
        details.run_id === ref.runId
      ) {
        void check();
      }
    }, listening.signal);
    if (signal) {
      if (signal.aborted) settle(() => reject(signal.reason));
      signal.addEventListener("abort", () => settle(() => reject(signal.reason)), { once: true });
    }
    void check();
  });
}
