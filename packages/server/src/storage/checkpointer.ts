// WAL checkpoints off the event loop.
//
// By default sqlite checkpoints inside whichever commit pushes the WAL past 1,000 pages: that commit copies the WAL
// into the database file and fsyncs both, which stalls the event loop for tens of milliseconds every few dozen
// trigger events (it was the p99 of the event path). So the server's own connection checkpoints only past a large
// backstop, and a worker thread with its own connection runs PASSIVE checkpoints on an interval: a passive
// checkpoint copies what it can without waiting for, or blocking, the server's readers and writers.
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type { Logger } from "winston";

/** The server connection's own checkpoint threshold, in pages (4 KiB): only reached if the worker falls behind. */
export const BACKSTOP_CHECKPOINT_PAGES = 10_000;

// Plain CommonJS so it runs as it is from source, from the bundle and under the test runner alike.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driverPath);
const db = new Database(workerData.path);
db.pragma("busy_timeout = 1000");
function checkpoint() {
  try {
    const [result] = db.pragma("wal_checkpoint(PASSIVE)");
    if (result.checkpointed > 0) parentPort.postMessage({ frames: result.checkpointed });
  } catch (error) {
    parentPort.postMessage({ error: String((error && error.message) || error) });
  }
}
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on("message", () => {
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

export interface CheckpointerStats {
  /** WAL frames (pages) copied into the database file so far. */
  frames: number;
  errors: number;
}

export interface Checkpointer {
  readonly stats: Readonly<CheckpointerStats>;
  /** Runs a last checkpoint and ends the worker. Safe to call more than once. */
  stop(): Promise<void>;
}

export function startCheckpointer(path: string, options: { intervalMs: number; logger?: Logger }): Checkpointer {
  const stats: CheckpointerStats = { frames: 0, errors: 0 };
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      path,
      intervalMs: options.intervalMs,
      driverPath: createRequire(import.meta.url).resolve("better-sqlite3"),
    },
  });
  worker.unref();
  worker.on("message", (message: { frames?: number; error?: string }) => {
    if (message.error !== undefined) {
      stats.errors += 1;
      options.logger?.warn("WAL checkpoint failed; the next one retries", { path, error: message.error });
      return;
    }
    stats.frames += message.frames ?? 0;
  });
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  worker.on("error", (error) => {
    // The server connection's backstop still bounds the WAL; checkpoints just happen on the event loop again.
    options.logger?.error("WAL checkpoint worker failed", { path, error: error.message });
  });
  let stopping: Promise<void> | undefined;
  return {
    stats,
    stop() {
      stopping ??= (async () => {
        worker.ref(); // unreferenced, it would let the process end before the last checkpoint
        worker.postMessage("stop");
        await exited;
      })();
      return stopping;
    },
  };
}
