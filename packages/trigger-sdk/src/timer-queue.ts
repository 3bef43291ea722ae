// One timer for many scheduled callbacks: a min-heap of due times and a single re-armable clock timer set for the
// earliest one. 10,000 interval or cron subscriptions then cost one heap slot each instead of a timer, a promise chain
// and a closure per subscription, and each wake costs one timer, not a promise, an AbortController and a signal.
//
// A callback runs synchronously when due and must not block; it usually re-schedules itself. An entry that reads
// cancelled when it reaches the top is dropped; no listener per entry, to keep entries small.
import type { Clock, ClockTimer } from "@gofer/kernel/clock";

/** What runs when an entry is due: a function, or an object's fire() (no closure per entry). */
export type TimerTarget = (() => void) | { fire(): void };

/** What an entry can be cancelled by: an AbortSignal, a Subscription, anything with an `aborted` flag. */
export interface Cancellable {
  readonly aborted: boolean;
}

/**
 * One pending time. A subclass (a subscription's schedule) can be its own entry through TimerQueue.add, so a
 * subscription holds no second object for its next time. An entry is in the queue at most once at a time.
 */
export abstract class TimerEntry {
  /** When it is due, epoch ms on the queue's clock; set by add(). */
  atMs = 0;
  /** Order among entries due at the same time (first added, first fired); -1 while not in a queue. */
  seq = -1;
  /** Read when the entry is due: true drops it unfired. */
  abstract get cancelled(): boolean;
  abstract fire(): void;
}

class CallbackEntry extends TimerEntry {
  constructor(
    private readonly target: TimerTarget,
    private readonly cancel: Cancellable | undefined,
  ) {
    super();
  }

  get cancelled(): boolean {
    return this.cancel?.aborted === true;
  }

  fire(): void {
    if (typeof this.target === "function") this.target();
    else this.target.fire();
  }
}

export class TimerQueue {
  private readonly heap: TimerEntry[] = [];
  private seq = 0;
  private timer: ClockTimer | undefined;
  /** When the timer is set to wake (Infinity: not set). A new entry due later than this needs no re-arming. */
  private armedAtMs = Number.POSITIVE_INFINITY;
  private firing = false;
  private running: Promise<void> | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  get size(): number {
    return this.heap.length;
  }

  /** Runs target at atMs (epoch ms on the clock), unless cancel reads aborted by then. */
  schedule(atMs: number, target: TimerTarget, cancel?: Cancellable): void {
    this.add(new CallbackEntry(target, cancel), atMs);
  }

  /** Fires entry at atMs unless it reads cancelled by then. */
  add(entry: TimerEntry, atMs: number): void {
    if (entry.seq !== -1) throw new Error("timer entry is already scheduled");
    entry.atMs = atMs;
    entry.seq = this.seq++;
    this.push(entry);
    if (this.heap[0] === entry) this.arm();
  }

  /** Starts serving due entries until signal aborts. Returns a promise that settles once it has stopped. */
  start(signal: AbortSignal): Promise<void> {
    this.running ??= new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const timer = this.clock.timer(() => this.runDue());
      this.timer = timer;
      signal.addEventListener(
        "abort",
        () => {
          timer.clear();
          this.timer = undefined;
          resolve();
        },
        { once: true },
      );
      this.runDue();
    });
    return this.running;
  }

  /** Fires every entry that is due, then sets the timer for the next one. */
  private runDue(): void {
    this.armedAtMs = Number.POSITIVE_INFINITY;
    this.firing = true;
    let nowMs = this.clock.now().getTime();
    for (;;) {
      const top = this.heap[0];
      if (!top || this.timer === undefined) break;
      // The time is read again only when the top looks not yet due: a callback may have taken a while.
      if (top.atMs > nowMs) {
        nowMs = this.clock.now().getTime();
        if (top.atMs > nowMs) break;
      }
      this.pop();
      top.seq = -1;
      if (top.cancelled) continue;
      try {
        top.fire();
      } catch (error) {
        this.onError(error);
      }
    }
    this.firing = false;
    this.arm();
  }

  /** Sets the timer for the earliest entry unless it already wakes no later (or the due entries are being fired). */
  private arm(): void {
    const top = this.heap[0];
    if (!top || !this.timer || this.firing || top.atMs >= this.armedAtMs) return;
    const delayMs = top.atMs - this.clock.now().getTime();
    this.armedAtMs = top.atMs;
    this.timer.set(delayMs);
  }

  private push(entry: TimerEntry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i] as TimerEntry, heap[parent] as TimerEntry)) break;
      [heap[i], heap[parent]] = [heap[parent] as TimerEntry, heap[i] as TimerEntry];
      i = parent;
    }
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop() as TimerEntry;
    if (heap.length === 0) return;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && before(heap[left] as TimerEntry, heap[smallest] as TimerEntry)) smallest = left;
      if (right < heap.length && before(heap[right] as TimerEntry, heap[smallest] as TimerEntry)) smallest = right;
      if (smallest === i) break;
      [heap[i], heap[smallest]] = [heap[smallest] as TimerEntry, heap[i] as TimerEntry];
      i = smallest;
    }
  }
}

function before(a: TimerEntry, b: TimerEntry): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);
}
