// HPACK (RFC 7541) for a server: a full decoder for request header blocks (static and dynamic tables, size updates,
// Huffman strings) and an encoder that only writes literals without indexing, so the peer's decoder state never
// depends on ours.
import { decodeHuffman } from "./huffman.js";

/** RFC 7541 Appendix A; index 1 is the first entry. */
const STATIC_TABLE: readonly (readonly [string, string])[] = [
  [":authority", ""],
  [":method", "GET"],
  [":method", "POST"],
  [":path", "/"],
  [":path", "/index.html"],
  [":scheme", "http"],
  [":scheme", "https"],
  [":status", "200"],
  [":status", "204"],
  [":status", "206"],
  [":status", "304"],
  [":status", "400"],
  [":status", "404"],
  [":status", "500"],
  ...[
    "accept-charset",
    "accept-encoding",
    "accept-language",
    "accept-ranges",
    "accept",
    "access-control-allow-origin",
    "age",
    "allow",
    "authorization",
    "cache-control",
    "content-disposition",
    "content-encoding",
    "content-language",
    "content-length",
    "content-location",
    "content-range",
    "content-type",
    "cookie",
    "date",
    "etag",
    "expect",
    "expires",
    "from",
    "host",
    "if-match",
    "if-modified-since",
    "if-none-match",
    "if-range",
    "if-unmodified-since",
    "last-modified",
    "link",
    "location",
    "max-forwards",
    "proxy-authenticate",
    "proxy-authorization",
    "range",
    "referer",
    "refresh",
    "retry-after",
    "server",
    "set-cookie",
    "strict-transport-security",
    "transfer-encoding",
    "user-agent",
    "vary",
    "via",
    "www-authenticate",
  ].map((name): [string, string] => [name, name === "accept-encoding" ? "gzip, deflate" : ""]),
];
const ENTRY_OVERHEAD = 32;

export class HpackError extends Error {}

/** A decoded header list, in order; names and values as latin1 text (one char per octet). */
export type HeaderList = [string, string][];

/** One connection's decoder: its dynamic table outlives each header block. */
export class HpackDecoder {
  /** Newest first. */
  private readonly dynamic: [string, string][] = [];
  private size = 0;
  private capacity: number;
  /** Goes up whenever the dynamic table may have changed: equal blocks decode equally while it stays put. */
  tableVersion = 0;

  /** maxTableSize: the SETTINGS_HEADER_TABLE_SIZE this side announced (4096 unless it sent another). */
  constructor(private readonly maxTableSize = 4096) {
    this.capacity = maxTableSize;
  }

  /** Decodes one complete header block; throws HpackError on anything malformed (a COMPRESSION_ERROR). */
  decode(block: Uint8Array, maxListSize: number): HeaderList {
    const out: HeaderList = [];
    const cursor = { at: 0 };
    let listSize = 0;
    let fieldSeen = false;
    while (cursor.at < block.length) {
      const first = block[cursor.at] as number;
      let field: [string, string];
      if (first & 0x80) {
        field = this.entry(readInteger(block, cursor, 7));
      } else if ((first & 0xe0) === 0x20) {
        // Only at the start of a block (RFC 7541 §4.2).
        if (fieldSeen) throw new HpackError("dynamic table size update after a header field");
        const capacity = readInteger(block, cursor, 5);
        if (capacity > this.maxTableSize) throw new HpackError(`table size ${capacity} over ${this.maxTableSize}`);
        this.capacity = capacity;
        this.tableVersion++;
        this.evict(0);
        continue;
      } else {
        const indexing = (first & 0xc0) === 0x40;
        const nameIndex = readInteger(block, cursor, indexing ? 6 : 4);
        const name = nameIndex === 0 ? readString(block, cursor) : (this.entry(nameIndex)[0] as string);
        field = [name, readString(block, cursor)];
        if (indexing) this.insert(field);
      }
      fieldSeen = true;
      listSize += field[0].length + field[1].length + ENTRY_OVERHEAD;
      if (listSize > maxListSize) throw new HpackError(`header list over ${maxListSize} bytes`);
      out.push(field);
    }
    return out;
  }

  private entry(index: number): [string, string] {
    if (index === 0) throw new HpackError("header index 0");
    if (index <= STATIC_TABLE.length) return STATIC_TABLE[index - 1] as [string, string];
    const entry = this.dynamic[index - STATIC_TABLE.length - 1];
    if (!entry) throw new HpackError(`header index ${index} out of the table`);
    return entry;
  }

  private insert(field: [string, string]): void {
    const entrySize = field[0].length + field[1].length + ENTRY_OVERHEAD;
    this.tableVersion++;
    this.evict(entrySize);
    // An entry larger than the table empties it and is not added (RFC 7541 §4.4).
    if (entrySize <= this.capacity) {
      this.dynamic.unshift(field);
      this.size += entrySize;
    }
  }

  /** Drops the oldest entries until `room` more octets fit. */
  private evict(room: number): void {
    while (this.size + room > this.capacity && this.dynamic.length > 0) {
      const old = this.dynamic.pop() as [string, string];
      this.size -= old[0].length + old[1].length + ENTRY_OVERHEAD;
    }
  }
}

function readInteger(block: Uint8Array, cursor: { at: number }, prefixBits: number): number {
  const max = (1 << prefixBits) - 1;
  let value = (block[cursor.at++] as number) & max;
  if (value < max) return value;
  let shift = 0;
  for (;;) {
    if (cursor.at >= block.length) throw new HpackError("truncated integer");
    const byte = block[cursor.at++] as number;
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (shift > 28) throw new HpackError("integer too large");
    if ((byte & 0x80) === 0) return value;
  }
}

function readString(block: Uint8Array, cursor: { at: number }): string {
  if (cursor.at >= block.length) throw new HpackError("truncated string");
  const huffman = ((block[cursor.at] as number) & 0x80) !== 0;
  const length = readInteger(block, cursor, 7);
  const end = cursor.at + length;
  if (end > block.length) throw new HpackError("string past the end of the block");
  const text = huffman ? decodeHuffman(block, cursor.at, end) : latin1(block, cursor.at, end);
  if (text === null) throw new HpackError("bad Huffman string");
  cursor.at = end;
  return text;
}

function latin1(block: Uint8Array, start: number, end: number): string {
  return Buffer.from(block.buffer, block.byteOffset + start, end - start).toString("latin1");
}

/** Appends an HPACK integer with the given prefix bits (and the first byte's high bits) to out. */
function pushInteger(out: number[], value: number, prefixBits: number, high: number): void {
  const max = (1 << prefixBits) - 1;
  if (value < max) {
    out.push(high | value);
    return;
  }
  out.push(high | max);
  let rest = value - max;
  while (rest >= 0x80) {
    out.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
}

function pushString(out: number[], text: string): void {
  const bytes = Buffer.from(text, "latin1");
  pushInteger(out, bytes.length, 7, 0);
  for (const byte of bytes) out.push(byte);
}

/**
 * Encodes header fields as literals without indexing (a static-table name where there is one), except `:status`
 * values the static table holds, which are indexed. Values are latin1 text.
 */
export function encodeHeaders(fields: readonly (readonly [string, string])[]): Buffer {
  const out: number[] = [];
  for (const [name, value] of fields) {
    const exact = STATIC_TABLE.findIndex(([n, v]) => n === name && v === value);
    if (name === ":status" && exact >= 0) {
      pushInteger(out, exact + 1, 7, 0x80);
      continue;
    }
    const nameIndex = STATIC_TABLE.findIndex(([n]) => n === name);
    if (nameIndex >= 0) {
      pushInteger(out, nameIndex + 1, 4, 0);
    } else {
      out.push(0);
      pushString(out, name);
    }
    pushString(out, value);
  }
  return Buffer.from(out);
}
