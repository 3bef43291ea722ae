// A trigger event whose recording fails (sqlite full, say) is not dropped: the trigger has already handed it over,
// so the watcher records it again with backoff until it is, and meanwhile asks for no more than its bound.

import { FakeClock } from "@gofer/kernel";
import { TriggerWatchResponse, TriggerWatchResponse_Result } from "@gofer/proto";
import { describe, expect, test } from "vitest";
import { createLogger } from "winston";
import type { FiredEvent } from "../src/events/fired-event.js";
import { Watcher } from "../src/triggers/watcher.js";

const logger = createLogger({ silent: true });

function event(label: string): TriggerWatchResponse {
  return TriggerWatchResponse.fromPartial({
    namespaceId: "default",
    pipelineId: "p",
    pipelineTriggerLabel: label,
    result: TriggerWatchResponse_Result.SUCCESS,
    details: "tick",
  });
}

describe("watcher: recording that fails", () => {
  test("is retried with backoff until it succeeds; no event is lost or recorded twice", async () => {
    const clock = new FakeClock();
    const queue = [event("a"), event("b"), event("c")];
    let watches = 0;
    const source = {
      watch: (signal: AbortSignal) => {
        watches += 1;
        const next = queue.shift();
        if (next) return Promise.resolve(next);
        return new Promise<TriggerWatchResponse>((_, reject) =>
          signal.addEventListener("abort", () => reject(new Error("cancelled")), { once: true }),
        );
      },
    };
    let failuresLeft = 4; // the disk is full for a while
    const recorded: string[] = [];
    const watcher = new Watcher({
      triggerName: "interval",
      source,
      onEvent: async (e: FiredEvent) => {
        if (failuresLeft > 0) {
          failuresLeft -= 1;
          throw new Error("SQLITE_FULL: database or disk is full");
        }
        recorded.push(e.label);
      },
      clock,
      logger,
      maxUnrecorded: 2,
      recordBackoff: { initialMs: 100, maxMs: 100 },
    });
    const stop = new AbortController();
    const done = watcher.start(stop.signal);
    await clock.advance(0);
    // Two events wait to be recorded: the loop asks for no third while they do.
    expect(watches).toBe(2);
    for (let i = 0; i < 10 && recorded.length < 3; i++) await clock.advance(100);
    expect(recorded.sort()).toEqual(["a", "b", "c"]);
    expect(watcher.stats.recordFailures).toBe(4);
    stop.abort();
    await done;
  });
});
