// Turns a container's log stream into lines. For a container without a TTY (all of ours) the daemon multiplexes stdout
// and stderr into frames: an 8-byte header [stream, 0, 0, 0, size as uint32 BE] followed by `size` bytes. Each stream
// keeps its own partial line and UTF-8 decoder, so a line written in pieces, or a character split across frames, is
// never torn or mixed with the other stream. A stream whose first bytes are not a frame header is read as raw text
// (a TTY container). "\r\n" ends a line like "\n"; a last line without a newline is still yielded.
import { StringDecoder } from "node:string_decoder";

class LineSplitter {
  private readonly decoder = new StringDecoder("utf8");
  private partial = "";

  push(bytes: Buffer, out: string[]): void {
    this.split(this.decoder.write(bytes), out);
  }

  end(out: string[]): void {
    this.split(this.decoder.end(), out);
    if (this.partial !== "") out.push(stripCr(this.partial));
    this.partial = "";
  }

  private split(text: string, out: string[]): void {
    if (text === "") return;
    const parts = (this.partial + text).split("\n");
    this.partial = parts.pop() ?? "";
    for (const line of parts) out.push(stripCr(line));
  }
}

function stripCr(line: string): string {
  return line.endsWith("\r") ? line.slice(0, -1) : line;
}

function looksMultiplexed(head: Buffer): boolean {
  return head.length >= 4 && (head[0] as number) <= 2 && head[1] === 0 && head[2] === 0 && head[3] === 0;
}

const HEADER_BYTES = 8;

export async function* dockerLogLines(stream: AsyncIterable<Buffer | string>): AsyncIterable<string> {
  const splitters = [new LineSplitter(), new LineSplitter(), new LineSplitter()];
  let pending: Buffer = Buffer.alloc(0);
  let mode: "unknown" | "multiplexed" | "raw" = "unknown";
  const out: string[] = [];

  for await (const chunk of stream) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    if (mode === "raw") {
      splitters[1]?.push(bytes, out);
    } else {
      pending = pending.length === 0 ? bytes : Buffer.concat([pending, bytes]);
      if (mode === "unknown" && pending.length >= 4) {
        mode = looksMultiplexed(pending) ? "multiplexed" : "raw";
        if (mode === "raw") {
          splitters[1]?.push(pending, out);
          pending = Buffer.alloc(0);
        }
      }
      while (mode === "multiplexed" && pending.length >= HEADER_BYTES) {
        const size = pending.readUInt32BE(4);
        if (pending.length < HEADER_BYTES + size) break;
        const splitter = splitters[pending[0] as number] ?? splitters[1];
        splitter?.push(pending.subarray(HEADER_BYTES, HEADER_BYTES + size), out);
        pending = pending.subarray(HEADER_BYTES + size);
      }
    }
    yield* out;
    out.length = 0;
  }
  if (mode === "unknown" && pending.length > 0) splitters[1]?.push(pending, out);
  for (const splitter of splitters) splitter.end(out);
  yield* out;
}
