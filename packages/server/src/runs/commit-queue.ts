// Run state changes of many runs share commits. Each change asks for a commit and waits for it; the changes asked for
// while the event loop works through one turn's I/O are written in one transaction at the end of that turn
// (setImmediate), so runs that change state together pay for one commit instead of one each. A change is
// acknowledged (its promise resolves) only once its commit is done, so nothing is reported before it is stored. When
// the shared transaction fails, each of its changes is written again in a transaction of its own, so a change that
// cannot be written fails alone; a change must therefore be safe to run again after a rollback.
import type { Kysely } from "kysely";
import type { Schema } from "../storage/schema.js";
import { transaction } from "../storage/transaction.js";

type Write<T> = (trx: Kysely<Schema>) => Promise<T>;

interface Queued {
  readonly write: Write<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

export class CommitQueue {
  private queued: Queued[] = [];
  private scheduled = false;

  constructor(private readonly db: Kysely<Schema>) {}

  /** Resolves with what `write` answered once its commit is done; rejects when it cannot be written. */
  commit<T>(write: Write<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queued.push({ write, resolve: resolve as (value: unknown) => void, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const batch = this.queued;
    this.queued = [];
    if (batch.length === 1) return this.alone(batch[0] as Queued);
    let results: unknown[];
    try {
      results = await transaction(this.db, async (trx) => {
        const out: unknown[] = [];
        for (const queued of batch) out.push(await queued.write(trx));
        return out;
      });
    } catch {
      for (const queued of batch) await this.alone(queued);
      return;
    }
    for (const [i, queued] of batch.entries()) queued.resolve(results[i]);
  }

  private async alone(queued: Queued): Promise<void> {
    try {
      queued.resolve(await transaction(this.db, queued.write));
    } catch (error) {
      queued.reject(error);
    }
  }
}
