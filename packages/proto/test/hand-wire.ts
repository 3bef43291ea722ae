// A hand encoder for protobuf bytes, written from the wire format (tag = field << 3 | wire type), independent of the
// generated code, so the wire tests compare the generated encoder with bytes derived from the spec's numbers alone.

type Bytes = number[];

const VARINT = 0;
const LEN = 2;

export function varint(value: number | bigint): Bytes {
  // Negative int64 values are written as their 64-bit two's complement: ten bytes.
  let v = BigInt.asUintN(64, BigInt(value));
  const out: Bytes = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    out.push(byte);
  } while (v !== 0n);
  return out;
}

function tag(field: number, wireType: number): Bytes {
  return varint((field << 3) | wireType);
}

/** A varint field: int64, bool, enum. Zero values are omitted by proto3 encoders, so tests only pass non-zero. */
export function num(field: number, value: number | bigint | boolean): Bytes {
  return [...tag(field, VARINT), ...varint(typeof value === "boolean" ? (value ? 1 : 0) : value)];
}

export function str(field: number, value: string): Bytes {
  return raw(field, [...Buffer.from(value, "utf8")]);
}

/** A length-delimited field holding the given bytes (a sub-message, bytes, a map entry). */
export function raw(field: number, content: Bytes): Bytes {
  return [...tag(field, LEN), ...varint(content.length), ...content];
}

export function msg(field: number, ...parts: Bytes[]): Bytes {
  return raw(field, parts.flat());
}

/** One map entry: key at 1, value at 2 (both always written, as Go does). */
export function entry(field: number, key: string, value: Bytes): Bytes {
  return msg(field, str(1, key), value);
}

export function bytes(...parts: Bytes[]): Uint8Array {
  return Uint8Array.from(parts.flat());
}

export function hex(data: Uint8Array): string {
  return Buffer.from(data).toString("hex");
}
