// A launched task's output: the task writes stdout and stderr (in order, one open file) to a file of its own, and the
// server reads it as it grows and once more after the task has gone, then deletes it.
import { unlinkSync } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { StringDecoder } from "node:string_decoder";

/** Cuts text into lines as node:readline does: at \n, \r\n or a lone \r; a last line without an ending counts. */
export class LineSplitter {
  private readonly decoder = new StringDecoder("utf8");
  private partial = "";

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer): void {
    this.split(this.partial + this.decoder.write(chunk), false);
  }

  end(): void {
    this.split(this.partial + this.decoder.end(), true);
  }

  private split(text: string, final: boolean): void {
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      // A \r that ends the chunk may be the first half of a \r\n split across two reads.
      if (c === 13 && i + 1 === text.length && !final) break;
      this.onLine(text.slice(start, i));
      if (c === 13 && text.charCodeAt(i + 1) === 10) i += 1;
      start = i + 1;
    }
    this.partial = text.slice(start);
    if (final && this.partial.length > 0) {
      this.onLine(this.partial);
      this.partial = "";
    }
  }
}

const CHUNK_BYTES = 64 * 1024;

export class TaskOutputFile {
  private handle: FileHandle | undefined;
  private offset = 0;
  private buffer: Buffer | undefined;
  private reading: Promise<void> | undefined;
  private readAgain = false;
  private finished = false;
  private readonly splitter: LineSplitter;

  constructor(
    readonly path: string,
    onLine: (line: string) => void,
  ) {
    this.splitter = new LineSplitter(onLine);
  }

  /** The file grew: read what is new. Reads never overlap; news during a read cause one more read after it. */
  grew(): void {
    if (this.finished) return;
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    this.reading = this.readToEnd()
      .catch(() => {}) // retried by the next growth and by finish(), which reports a failure of its own
      .finally(() => {
        this.reading = undefined;
        if (this.readAgain) {
          this.readAgain = false;
          this.grew();
        }
      });
  }

  /**
   * Everything that will be written has been (the task's process group is gone): reads the rest, ends the last line,
   * deletes the file. With hasOutput false and nothing read yet the file is empty and is only deleted.
   */
  async finish(hasOutput: boolean): Promise<void> {
    this.finished = true;
    while (this.reading) await this.reading;
    try {
      if (hasOutput || this.handle) await this.readToEnd();
    } finally {
      this.splitter.end();
      await this.handle?.close().catch(() => {});
      this.handle = undefined;
      // Blocking: one system call, where a round trip through libuv's thread pool costs several times as much.
      try {
        unlinkSync(this.path);
      } catch {
        // gone already (a temp cleaner), or left for close() to delete with the directory
      }
    }
  }

  private async readToEnd(): Promise<void> {
    this.handle ??= await open(this.path, "r");
    this.buffer ??= Buffer.allocUnsafe(CHUNK_BYTES);
    for (;;) {
      const { bytesRead } = await this.handle.read(this.buffer, 0, CHUNK_BYTES, this.offset);
      if (bytesRead === 0) return;
      this.offset += bytesRead;
      this.splitter.push(this.buffer.subarray(0, bytesRead));
    }
  }
}
