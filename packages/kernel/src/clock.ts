// The one place that reads the wall clock or arms a timer. Everything timed (intervals, cron, backoff, readiness
// waits) takes a Clock so tests move time with FakeClock.advance() instead of sleeping.

export interface Clock {
  now(): Date;
  /** Resolves after ms, or rejects with the signal's reason once it aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  /** A one-shot timer that can be set again and again: for a loop that waits often, no promise or signal per wait. */
  timer(callback: () => void): ClockTimer;
}

export interface ClockTimer {
  /** Calls the callback once, ms from now; replaces any time set before that has not come yet. */
  set(ms: number): void;
  /** Forgets the time set, if any. */
  clear(): void;
}

/** setTimeout fires at once (with a warning) above this; a longer wait is cut to it, and the caller looks again. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("This operation was aborted", "AbortError");
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep(ms, signal) {
    if (signal.aborted) return Promise.reject(abortReason(signal));
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortReason(signal));
      };
      const timer = setTimeout(
        () => {
          signal.removeEventListener("abort", onAbort);
          resolve();
        },
        Math.max(0, ms),
      );
      signal.addEventListener("abort", onAbort, { once: true });
    });
  },
  timer(callback) {
    let handle: ReturnType<typeof setTimeout> | undefined;
    const fire = () => {
      handle = undefined;
      callback();
    };
    return {
      set(ms) {
        if (handle !== undefined) clearTimeout(handle);
        handle = setTimeout(fire, Math.min(Math.max(0, ms), MAX_TIMEOUT_MS));
      },
      clear() {
        if (handle !== undefined) clearTimeout(handle);
        handle = undefined;
      },
    };
  },
};

interface Sleeper {
  wakeAtMs: number;
  seq: number;
  resolve: () => void;
}

/**
 * A clock that only moves when told. advance(ms) wakes every sleeper whose time has come, in wake-time order, letting
 * each one's continuation run (and possibly sleep again) before moving on, so a loop that re-arms sees the time it
 * expects.
 */
export class FakeClock implements Clock {
  private nowMs: number;
  private seq = 0;
  private sleepers: Sleeper[] = [];
  private sleepWaiters: Array<{ count: number; resolve: () => void }> = [];

  constructor(start: Date | number = Date.UTC(2026, 0, 1)) {
    this.nowMs = typeof start === "number" ? start : start.getTime();
  }

  now(): Date {
    return new Date(this.nowMs);
  }

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(abortReason(signal));
    return new Promise((resolve, reject) => {
      const sleeper: Sleeper = {
        wakeAtMs: this.nowMs + Math.max(0, ms),
        seq: this.seq++,
        resolve: () => {
          signal.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        reject(abortReason(signal));
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.sleepers.push(sleeper);
      this.notifySleepWaiters();
    });
  }

  timer(callback: () => void): ClockTimer {
    let pending: Sleeper | undefined;
    const clear = () => {
      if (pending === undefined) return;
      const cleared = pending;
      this.sleepers = this.sleepers.filter((s) => s !== cleared);
      pending = undefined;
    };
    return {
      set: (ms) => {
        clear();
        const sleeper: Sleeper = {
          wakeAtMs: this.nowMs + Math.max(0, ms),
          seq: this.seq++,
          resolve: () => {
            if (pending === sleeper) pending = undefined;
            callback();
          },
        };
        pending = sleeper;
        this.sleepers.push(sleeper);
        this.notifySleepWaiters();
      },
      clear,
    };
  }

  /** How many sleeps (and set timers) are pending. */
  get pendingSleeps(): number {
    return this.sleepers.length;
  }

  /** Resolves once at least `count` sleeps are pending: lets a test wait until a loop has parked. */
  waitForSleepers(count = 1): Promise<void> {
    if (this.sleepers.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.sleepWaiters.push({ count, resolve }));
  }

  /** Moves time forward by ms, waking due sleepers in order. */
  async advance(ms: number): Promise<void> {
    const target = this.nowMs + ms;
    for (;;) {
      await flushMicrotasks();
      const due = this.sleepers
        .filter((s) => s.wakeAtMs <= target)
        .sort((a, b) => a.wakeAtMs - b.wakeAtMs || a.seq - b.seq)[0];
      if (!due) break;
      this.sleepers = this.sleepers.filter((s) => s !== due);
      this.nowMs = Math.max(this.nowMs, due.wakeAtMs);
      due.resolve();
    }
    this.nowMs = target;
    await flushMicrotasks();
  }

  /** Sets the time without waking anyone (e.g. to simulate a clock jump). */
  set(time: Date | number): void {
    this.nowMs = typeof time === "number" ? time : time.getTime();
  }

  private notifySleepWaiters(): void {
    const ready = this.sleepWaiters.filter((w) => this.sleepers.length >= w.count);
    this.sleepWaiters = this.sleepWaiters.filter((w) => this.sleepers.length < w.count);
    for (const w of ready) w.resolve();
  }
}

async function flushMicrotasks(): Promise<void> {
  // A few turns let promise chains started by a woken sleeper settle (and re-arm) before time moves on.
  for (let i = 0; i < 10; i++) await Promise.resolve();
  await new Promise<void>((resolve) => setImmediate(resolve));
}
