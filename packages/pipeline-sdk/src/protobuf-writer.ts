// The few protobuf wire-format operations a PipelineConfig needs (varint, length-delimited), so the SDK carries no
// dependency: a pipeline program imports only this package. Field order and zero-value omission follow Go's
// proto.Marshal, which is what `gofer pipeline create` has always read (spec vectors README, "Go encoding rules").

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;

export class ProtobufWriter {
  private readonly chunks: Uint8Array[] = [];
  private length = 0;

  /** A varint field; zero is omitted (proto3). Negative values are written as 64-bit two's complement. */
  varintField(field: number, value: bigint | number): this {
    const v = BigInt(value);
    if (v === 0n) return this;
    this.tag(field, WIRE_VARINT);
    this.varint(BigInt.asUintN(64, v));
    return this;
  }

  /** A string field; "" is omitted (proto3). */
  stringField(field: number, value: string): this {
    if (value === "") return this;
    return this.bytesField(field, new TextEncoder().encode(value));
  }

  /** A string field written even when empty (map entry keys and values, repeated elements). */
  stringFieldAlways(field: number, value: string): this {
    return this.bytesField(field, new TextEncoder().encode(value));
  }

  /** A nested message; an empty one is still written (as Go does for a set, empty sub-message). */
  messageField(field: number, write: (writer: ProtobufWriter) => void): this {
    const nested = new ProtobufWriter();
    write(nested);
    return this.bytesField(field, nested.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }

  private bytesField(field: number, bytes: Uint8Array): this {
    this.tag(field, WIRE_LENGTH_DELIMITED);
    this.varint(BigInt(bytes.length));
    this.push(bytes);
    return this;
  }

  private tag(field: number, wireType: number): void {
    this.varint(BigInt((field << 3) | wireType));
  }

  private varint(value: bigint): void {
    const bytes: number[] = [];
    let v = value;
    while (v >= 0x80n) {
      bytes.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    bytes.push(Number(v));
    this.push(Uint8Array.from(bytes));
  }

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.length += bytes.length;
  }
}

/** Map keys in byte order of their UTF-8 encoding, as Go's deterministic marshal writes them. */
export function sortedEntries<V>(map: Readonly<Record<string, V>>): Array<[string, V]> {
  const encoder = new TextEncoder();
  return Object.entries(map).sort(([a], [b]) => compareBytes(encoder.encode(a), encoder.encode(b)));
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  }
  return a.length - b.length;
}
