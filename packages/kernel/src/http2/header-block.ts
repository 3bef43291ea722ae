// A request header block as it arrives, HEADERS then any CONTINUATIONs, decoded when complete. Every block is
// decoded, even one whose stream is refused: the HPACK dynamic table must stay in step with the peer's.
import { ConnectionError, ErrorCode, Flag } from "./frames.js";
import { type HeaderList, HpackDecoder, HpackError } from "./hpack.js";

export class HeaderBlock {
  private readonly decoder = new HpackDecoder();
  private id = 0;
  private endStream = false;
  private parts: Buffer[] = [];
  private size = 0;
  /** A block has started and its END_HEADERS has not come: no other frame may come between (RFC 9113 §6.10). */
  open = false;

  constructor(private readonly maxListSize: number) {}

  /** A HEADERS frame; true when the block is complete. */
  start(flags: number, id: number, payload: Buffer): boolean {
    let from = 0;
    let to = payload.length;
    if (flags & Flag.PADDED) {
      to -= payload[0] as number;
      from = 1;
    }
    if (flags & Flag.PRIORITY) from += 5;
    if (from > to) throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, "HEADERS padding or priority past the frame");
    this.id = id;
    this.endStream = (flags & Flag.END_STREAM) !== 0;
    this.parts = [payload.subarray(from, to)];
    this.size = to - from;
    this.open = true;
    return this.add(flags & Flag.END_HEADERS, id, undefined);
  }

  /** A CONTINUATION frame (or, with no payload, the HEADERS flags); true when the block is complete. */
  add(flags: number, id: number, payload: Buffer | undefined): boolean {
    if (!this.open || id !== this.id) throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, "CONTINUATION out of place");
    if (payload !== undefined) {
      this.parts.push(payload);
      this.size += payload.length;
      if (this.size > this.maxListSize * 2) {
        throw new ConnectionError(ErrorCode.ENHANCE_YOUR_CALM, "header block too large");
      }
    }
    return (flags & Flag.END_HEADERS) !== 0;
  }

  /** The complete block's stream, END_STREAM flag and decoded fields. */
  take(): { id: number; endStream: boolean; fields: HeaderList } {
    this.open = false;
    const block = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts);
    this.parts = [];
    try {
      return { id: this.id, endStream: this.endStream, fields: this.decoder.decode(block, this.maxListSize) };
    } catch (error) {
      if (error instanceof HpackError) throw new ConnectionError(ErrorCode.COMPRESSION_ERROR, error.message);
      throw error;
    }
  }
}
