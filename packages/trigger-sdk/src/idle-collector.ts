// Runs full garbage collections once a burst of Subscribe/Unsubscribe calls has been quiet for a while. A burst of
// 10,000 subscriptions leaves megabytes of request garbage in V8's old space, and V8 collects it only when the heap
// grows further, which a quiet trigger never does: until then that garbage is resident memory. The first collection,
// a quiet second after the burst, gives it back. The burst also grew V8's young generation (to 2 MB with the
// launchers' 1 MB semi-spaces); V8 shrinks it back only in a collection that finds the allocation rate since the one
// before low, halving it or more each time, so two more follow, 5 and 10 s later (after 10,000 Subscribe calls: ~1.7
// MB less). Active only when the process exposes gc (the triggers' launchers pass --expose-gc).
//
// States: IDLE (nothing pending) → WAITING (a call came; the loop sleeps until the next collection's quiet period has
// passed since the last call) → collect → WAITING for the next one … → IDLE after the last. Calls while WAITING only
// move the deadline. The signal ends a wait without collecting.
import { setFlagsFromString } from "node:v8";
import { type Clock, systemClock } from "@gofer/kernel/clock";

/** How long after the last call each collection runs, in ms. */
export const COLLECT_AFTER_MS: readonly number[] = [1_000, 6_000, 11_000];

export class IdleCollector {
  private lastCallMs = 0;
  private waiting = false;

  constructor(
    private readonly collect: (() => void) | undefined,
    private readonly signal: AbortSignal,
    private readonly collectAfterMs: readonly number[] = COLLECT_AFTER_MS,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Notes a call; each collection waits until its quiet period has passed without one. */
  touch(): void {
    if (!this.collect) return;
    this.lastCallMs = this.clock.now().getTime();
    if (this.waiting) return;
    this.waiting = true;
    void this.waitThenCollect(this.collect);
  }

  private async waitThenCollect(collect: () => void): Promise<void> {
    try {
      for (const afterMs of this.collectAfterMs) {
        for (;;) {
          const leftMs = this.lastCallMs + afterMs - this.clock.now().getTime();
          if (leftMs <= 0) break;
          await this.clock.sleep(leftMs, this.signal);
        }
        collect();
      }
    } catch {
      // stopped while waiting: nothing to collect for
    } finally {
      this.waiting = false;
    }
  }
}

/**
 * A full, compacting collection through the process's gc function when it runs with --expose-gc. Compacting moves the
 * survivors of a burst out of the pages it left part-empty, so those pages go back to the system (after 10,000
 * Subscribe calls, ~1 MB); the flag is set only around this call, so V8's own collections keep their heuristics.
 * gc is called with no argument: on Node 20 (V8 11.3) gc({ type: "major", execution: "sync" }), with or without
 * flavor "last-resort", returns at once and frees nothing.
 */
export function exposedGc(gc: unknown = (globalThis as { gc?: unknown }).gc): (() => void) | undefined {
  if (typeof gc !== "function") return undefined;
  return () => {
    setFlagsFromString("--compact-on-every-full-gc");
    try {
      (gc as () => void)();
    } finally {
      setFlagsFromString("--no-compact-on-every-full-gc");
    }
  };
}
