// A request header block as it arrives, HEADERS then any CONTINUATIONs, decoded when complete. Every block is
// decoded, even one whose stream is refused: the HPACK dynamic table must stay in step with the peer's.
//
// A client repeats the same block on every call of a method once its dynamic table holds what it indexes (the fields
// it never indexes, such as `authorization` and `:path`, are the same literal bytes each time). A block byte for byte
// equal to the last one, read against an unchanged dynamic table, decodes to the same list, so that list is handed
// out again: no Huffman decoding, no strings made. Only a block that left the table as it was is kept for this.
import { ConnectionError, ErrorCode, Flag } from "./frames.js";
import { type HeaderList, HpackDecoder, HpackError } from "./hpack.js";

export class HeaderBlock {
  private readonly decoder = new HpackDecoder();
  /** The stream of the last block started, and whether its HEADERS ended that stream. */
  id = 0;
  endStream = false;
  /** The HEADERS frame's part of the block, and the CONTINUATIONs' (rare: no array for a block in one frame). */
  private first: Buffer | undefined;
  private more: Buffer[] | undefined;
  private size = 0;
  /** A block has started and its END_HEADERS has not come: no other frame may come between (RFC 9113 §6.10). */
  open = false;
  /** The last block that did not change the dynamic table, its decoded list, and the table version it was read at. */
  private lastBlock: Buffer | undefined;
  private lastFields: HeaderList = [];
  private lastVersion = -1;

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
    this.first = from === 0 && to === payload.length ? payload : payload.subarray(from, to);
    this.more = undefined;
    this.size = to - from;
    this.open = true;
    return this.add(flags & Flag.END_HEADERS, id, undefined);
  }

  /** A CONTINUATION frame (or, with no payload, the HEADERS flags); true when the block is complete. */
  add(flags: number, id: number, payload: Buffer | undefined): boolean {
    if (!this.open || id !== this.id) throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, "CONTINUATION out of place");
    if (payload !== undefined) {
      if (this.more === undefined) this.more = [this.first as Buffer, payload];
      else this.more.push(payload);
      this.size += payload.length;
      if (this.size > this.maxListSize * 2) {
        throw new ConnectionError(ErrorCode.ENHANCE_YOUR_CALM, "header block too large");
      }
    }
    return (flags & Flag.END_HEADERS) !== 0;
  }

  /** The complete block's decoded fields; a list handed out again for an equal block, so not to be changed. */
  take(): HeaderList {
    this.open = false;
    const block = this.more === undefined ? (this.first as Buffer) : Buffer.concat(this.more);
    this.first = undefined;
    this.more = undefined;
    const decoder = this.decoder;
    const version = decoder.tableVersion;
    if (version === this.lastVersion && this.lastBlock?.equals(block)) return this.lastFields;
    let fields: HeaderList;
    try {
      fields = decoder.decode(block, this.maxListSize);
    } catch (error) {
      if (error instanceof HpackError) throw new ConnectionError(ErrorCode.COMPRESSION_ERROR, error.message);
      throw error;
    }
    if (decoder.tableVersion === version) {
      this.lastBlock = Buffer.from(block); // a copy: the read's buffer is not ours to keep
      this.lastFields = fields;
      this.lastVersion = version;
    }
    return fields;
  }
}
