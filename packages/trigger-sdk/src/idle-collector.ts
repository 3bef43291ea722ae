// Runs one full garbage collection once a burst of Subscribe/Unsubscribe calls has been quiet for a second. A burst of
// 10,000 subscriptions leaves megabytes of request garbage in V8's old space, and V8 collects it only when the heap
// grows further, which a quiet trigger never does: until then that garbage is resident memory. Collecting right after
// the burst gives it back. Active only when the process exposes gc (the triggers' launchers pass --expose-gc).
//
// States: IDLE (nothing pending) → WAITING (a call came; the loop sleeps until a quiet period has passed since the
// last one) → collect → IDLE. Calls while WAITING only move the deadline. The signal ends a wait without collecting.
import { type Clock, systemClock } from "@gofer/kernel/clock";

export class IdleCollector {
  private lastCallMs = 0;
  private waiting = false;

  constructor(
    private readonly collect: (() => void) | undefined,
    private readonly signal: AbortSignal,
    private readonly quietMs = 1_000,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Notes a call; the collection waits until quietMs have passed without one. */
  touch(): void {
    if (!this.collect) return;
    this.lastCallMs = this.clock.now().getTime();
    if (this.waiting) return;
    this.waiting = true;
    void this.waitThenCollect(this.collect);
  }

  private async waitThenCollect(collect: () => void): Promise<void> {
    try {
      for (;;) {
        const leftMs = this.lastCallMs + this.quietMs - this.clock.now().getTime();
        if (leftMs <= 0) break;
        await this.clock.sleep(leftMs, this.signal);
      }
      collect();
    } catch {
      // stopped while waiting: nothing to collect for
    } finally {
      this.waiting = false;
    }
  }
}

/**
 * A full collection through the process's gc function when it runs with --expose-gc. It is called with no argument:
 * on Node 20 (V8 11.3) gc({ type: "major", execution: "sync" }), with or without flavor "last-resort", returns at once
 * and frees nothing, and a burst's garbage then stays resident until V8 happens to collect.
 */
export function exposedGc(gc: unknown = (globalThis as { gc?: unknown }).gc): (() => void) | undefined {
  if (typeof gc !== "function") return undefined;
  return () => (gc as () => void)();
}
