// Splits a connection's bytes into frames: on a server, the client preface first; then 9-byte headers and their
// payloads, a frame cut across reads kept until the rest arrives.
import { ConnectionError, DEFAULT_MAX_FRAME_SIZE, ErrorCode, FRAME_HEADER_BYTES, PREFACE } from "./frames.js";

/** Handles one frame; false stops reading (the connection ended). Throws a ConnectionError to end it. */
export type FrameSink = (type: number, flags: number, id: number, payload: Buffer) => boolean;

export class FrameReader {
  private prefaceSeen: boolean;
  private carry: Buffer | undefined;

  /** side "client" reads a server's frames, which no preface precedes. */
  constructor(side: "server" | "client" = "server") {
    this.prefaceSeen = side === "client";
  }

  push(chunk: Buffer, sink: FrameSink): void {
    const buf = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = undefined;
    let at = 0;
    if (!this.prefaceSeen) {
      const seen = Math.min(buf.length, PREFACE.length);
      if (buf.compare(PREFACE, 0, seen, 0, seen) !== 0) {
        throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, "not an HTTP/2 client preface");
      }
      if (seen < PREFACE.length) {
        this.carry = buf;
        return;
      }
      this.prefaceSeen = true;
      at = PREFACE.length;
    }
    while (buf.length - at >= FRAME_HEADER_BYTES) {
      const length = buf.readUIntBE(at, 3);
      // This side never raises SETTINGS_MAX_FRAME_SIZE from its default.
      if (length > DEFAULT_MAX_FRAME_SIZE) throw new ConnectionError(ErrorCode.FRAME_SIZE_ERROR, "frame too large");
      if (buf.length - at < FRAME_HEADER_BYTES + length) break;
      const type = buf[at + 3] as number;
      const flags = buf[at + 4] as number;
      const id = buf.readUInt32BE(at + 5) & 0x7fffffff;
      const payload = buf.subarray(at + FRAME_HEADER_BYTES, at + FRAME_HEADER_BYTES + length);
      at += FRAME_HEADER_BYTES + length;
      if (!sink(type, flags, id, payload)) return;
    }
    if (at < buf.length) this.carry = buf.subarray(at);
  }
}
