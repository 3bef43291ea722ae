// Task run output on disk: one file per task run at <logsDir>/<namespace>/<pipeline>/<run>/<task>.log, one line per
// output line (stdout and stderr merged, as the scheduler gives them). The file (and its directory) is made at the
// first line, or empty when the task run ends without output, so every started task run has one (a reader on another
// replica is told there is no file). It is made with blocking calls: on this path a round trip through libuv's
// thread pool costs several times the system call.
//
// A task run whose output may still grow is "live": registered by expect() before its container starts and ended by
// end() once its output is complete (the task run is COMPLETE, or the server is stopping). Readers follow a live file
// and stop at its end otherwise, so the file needs no end marker (the original appended one).
import { once } from "node:events";
import { closeSync, createWriteStream, mkdirSync, openSync, unlinkSync, type WriteStream } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { dirname, join } from "node:path";
import { StringDecoder } from "node:string_decoder";
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from "../private-files.js";
import { runKey } from "./run-lookup.js";
import type { RunRef, TaskRunLogLine } from "./run-orchestrator.js";

const READ_CHUNK_BYTES = 64 * 1024;

class LiveLog {
  private waiters = new Set<() => void>();

  /** Resolves at the next change (more output, or the end), or when signal aborts. */
  nextChange(signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const wake = () => {
        this.waiters.delete(wake);
        signal?.removeEventListener("abort", wake);
        resolve();
      };
      this.waiters.add(wake);
      signal?.addEventListener("abort", wake, { once: true });
    });
  }

  notify(): void {
    for (const wake of [...this.waiters]) wake();
  }
}

export class TaskLogWriter {
  /** Made at the first line. */
  private stream: WriteStream | undefined;
  /** The error that made or wrote the file (the disk is full, say): later writes fail with it; nothing crashes. */
  private failed: Error | undefined;

  constructor(
    private readonly path: string,
    private readonly live: LiveLog,
  ) {}

  async write(line: string): Promise<void> {
    if (this.failed) throw this.failed;
    const stream = this.stream ?? this.create();
    const flushed = stream.write(`${line}\n`, () => this.live.notify());
    if (!flushed && !this.failed) await once(stream, "drain");
  }

  async close(): Promise<void> {
    const stream = this.stream;
    if (!stream && !this.failed) this.createEmpty();
    if (!stream || stream.closed || stream.destroyed || this.failed) {
      this.live.notify();
      return;
    }
    await new Promise<void>((resolve) => {
      stream.once("error", () => resolve());
      stream.end(() => resolve());
    });
    this.live.notify();
  }

  /** Creates (or empties: a task run followed again after a restart) the file. */
  private create(): WriteStream {
    let fd: number;
    try {
      fd = this.open();
    } catch (error) {
      this.failed = error as Error;
      throw error;
    }
    const stream = createWriteStream(this.path, { fd });
    stream.on("error", (error) => {
      this.failed ??= error;
      this.live.notify();
    });
    // fd is the stream's now: it closes it when it ends or fails.
    this.stream = stream;
    return stream;
  }

  /** The task run printed nothing: its file is made empty. A failure leaves no file (readers are told so). */
  private createEmpty(): void {
    try {
      closeSync(this.open());
    } catch (error) {
      this.failed = error as Error;
    }
  }

  private open(): number {
    mkdirSync(dirname(this.path), { recursive: true, mode: PRIVATE_DIR_MODE });
    return openSync(this.path, "w", PRIVATE_FILE_MODE);
  }
}

export class TaskLogs {
  private readonly live = new Map<string, LiveLog>();

  constructor(private readonly logsDir: string) {}

  path(ref: RunRef, taskId: string): string {
    return join(this.logsDir, ref.namespaceId, ref.pipelineId, String(ref.runId), `${taskId}.log`);
  }

  isLive(ref: RunRef, taskId: string): boolean {
    return this.live.has(key(ref, taskId));
  }

  /** The task run's output may come: readers wait for it instead of ending. */
  expect(ref: RunRef, taskId: string): void {
    if (!this.live.has(key(ref, taskId))) this.live.set(key(ref, taskId), new LiveLog());
  }

  /** The writer of the task run's output; the file is made (or emptied) at the first line. */
  open(ref: RunRef, taskId: string): TaskLogWriter {
    this.expect(ref, taskId);
    return new TaskLogWriter(this.path(ref, taskId), this.live.get(key(ref, taskId)) as LiveLog);
  }

  /** No more output will come: readers stop at the end of the file. */
  end(ref: RunRef, taskId: string): void {
    const live = this.live.get(key(ref, taskId));
    this.live.delete(key(ref, taskId));
    live?.notify();
  }

  /** Deletes the file if there is one (blocking, as the file is made: one system call). */
  async remove(ref: RunRef, taskId: string): Promise<void> {
    try {
      unlinkSync(this.path(ref, taskId));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }

  /** Whether the file exists (a task run that never started has none). */
  async exists(ref: RunRef, taskId: string): Promise<boolean> {
    const handle = await openIfExists(this.path(ref, taskId));
    await handle?.close();
    return handle !== undefined;
  }

  /** The stored lines, then, while the task run is live, each new line until it ends or signal aborts. */
  async *read(ref: RunRef, taskId: string, signal?: AbortSignal): AsyncGenerator<TaskRunLogLine> {
    const path = this.path(ref, taskId);
    const decoder = new StringDecoder("utf8");
    const buffer = Buffer.alloc(READ_CHUNK_BYTES);
    let handle: FileHandle | undefined;
    let position = 0;
    let partial = "";
    let lineNum = 0;
    try {
      for (;;) {
        // Look before reading: output that arrives while we read wakes `change`, and a log that ended before
        // we read is read to its end.
        const live = this.live.get(key(ref, taskId));
        const change = live?.nextChange(signal);
        handle ??= await openIfExists(path);
        if (handle) {
          for (;;) {
            const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
            if (bytesRead === 0) break;
            position += bytesRead;
            const lines = (partial + decoder.write(buffer.subarray(0, bytesRead))).split("\n");
            partial = lines.pop() ?? "";
            for (const line of lines) {
              lineNum += 1;
              yield { line, lineNum };
            }
          }
        }
        if (!live || signal?.aborted) break;
        await change;
      }
      const rest = partial + decoder.end();
      if (rest !== "" && !signal?.aborted) yield { line: rest, lineNum: lineNum + 1 };
    } finally {
      await handle?.close();
    }
  }
}

function key(ref: RunRef, taskId: string): string {
  return `${runKey(ref)}/${taskId}`;
}

async function openIfExists(path: string): Promise<FileHandle | undefined> {
  try {
    return await open(path, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}
