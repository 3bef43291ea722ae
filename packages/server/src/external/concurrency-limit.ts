// How many webhooks may be with one trigger at a time. A flood of deliveries would otherwise keep a trigger busy with
// ExternalEvent calls (and the server busy forwarding them) while its Watch and its other pipelines wait. Beyond the
// bound a request waits its turn, in arrival order; beyond the waiting bound it is refused at once.

export class ConcurrencyLimitFullError extends Error {
  override name = "ConcurrencyLimitFullError";
}

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

class Gate {
  active = 0;
  readonly waiting: Waiter[] = [];
}

export class ConcurrencyLimit {
  private readonly gates = new Map<string, Gate>();

  constructor(
    /** In flight at once per key. */
    private readonly maxActive: number,
    /** Waiting per key before further requests are refused. */
    private readonly maxWaiting: number,
  ) {}

  /**
   * Waits for a slot for `key`; resolves with its release (call it exactly once). Rejects with
   * ConcurrencyLimitFullError when too many already wait, or with the signal's reason once it aborts.
   */
  async acquire(key: string, signal: AbortSignal): Promise<() => void> {
    let gate = this.gates.get(key);
    if (!gate) {
      gate = new Gate();
      this.gates.set(key, gate);
    }
    const release = this.releaser(key, gate);
    if (gate.active < this.maxActive) {
      gate.active += 1;
      return release;
    }
    if (gate.waiting.length >= this.maxWaiting) {
      throw new ConcurrencyLimitFullError(
        `${this.maxActive} requests are with trigger "${key}" and ${gate.waiting.length} more wait`,
      );
    }
    signal.throwIfAborted();
    const owned = gate;
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve: () => {
          signal.removeEventListener("abort", onAbort);
          resolve();
        },
        reject,
      };
      const onAbort = () => {
        const at = owned.waiting.indexOf(waiter);
        if (at !== -1) owned.waiting.splice(at, 1);
        reject(signal.reason);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      owned.waiting.push(waiter);
    });
    return release;
  }

  /** Requests in flight for `key` (for tests and logs). */
  active(key: string): number {
    return this.gates.get(key)?.active ?? 0;
  }

  private releaser(key: string, gate: Gate): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = gate.waiting.shift();
      if (next) {
        next.resolve(); // the slot passes straight to the next waiter
        return;
      }
      gate.active -= 1;
      if (gate.active === 0) this.gates.delete(key);
    };
  }
}
