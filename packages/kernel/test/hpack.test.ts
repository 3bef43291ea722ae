// HPACK decoding against RFC 7541's own examples, every byte through the Huffman code, and malformed blocks.
import { describe, expect, test } from "vitest";
import { HpackDecoder, HpackError } from "../src/http2/hpack.js";
import { decodeHuffman, HUFFMAN_CODES } from "../src/http2/huffman.js";

/** Huffman-codes latin1 text with the table under test, padded with ones (the test-side encoder). */
export function huffmanEncode(text: string): Buffer {
  const bytes: number[] = [];
  let acc = 0n;
  let bits = 0;
  for (let i = 0; i < text.length; i++) {
    const { code, length } = HUFFMAN_CODES[text.charCodeAt(i)] as { code: number; length: number };
    acc = (acc << BigInt(length)) | BigInt(code);
    bits += length;
    while (bits >= 8) {
      bits -= 8;
      bytes.push(Number((acc >> BigInt(bits)) & 0xffn));
    }
  }
  if (bits > 0) bytes.push(Number(((acc << BigInt(8 - bits)) | ((1n << BigInt(8 - bits)) - 1n)) & 0xffn));
  return Buffer.from(bytes);
}

const hex = (text: string) => Buffer.from(text.replace(/\s/g, ""), "hex");

describe("the HPACK decoder", () => {
  test("decodes RFC 7541 C.4's three requests (Huffman strings, indexing into the dynamic table)", () => {
    const decoder = new HpackDecoder();
    expect(decoder.decode(hex("8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff"), 65536)).toEqual([
      [":method", "GET"],
      [":scheme", "http"],
      [":path", "/"],
      [":authority", "www.example.com"],
    ]);
    expect(decoder.decode(hex("8286 84be 5886 a8eb 1064 9cbf"), 65536)).toEqual([
      [":method", "GET"],
      [":scheme", "http"],
      [":path", "/"],
      [":authority", "www.example.com"],
      ["cache-control", "no-cache"],
    ]);
    expect(decoder.decode(hex("8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf"), 65536)).toEqual([
      [":method", "GET"],
      [":scheme", "https"],
      [":path", "/index.html"],
      [":authority", "www.example.com"],
      ["custom-key", "custom-value"],
    ]);
  });

  test("the Huffman code is complete and round-trips every byte 0-255", () => {
    // A complete prefix code: the codes' shares of the code space sum to exactly 1 (Kraft equality).
    const kraft = HUFFMAN_CODES.reduce((sum, { length }) => sum + 2 ** -length, 0);
    expect(kraft).toBe(1);
    const every = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i));
    const encoded = huffmanEncode(every);
    expect(decodeHuffman(encoded, 0, encoded.length)).toBe(every);
  });

  test("a dynamic table size update evicts, and an index past the table is an error", () => {
    const decoder = new HpackDecoder();
    // Literal with incremental indexing, new name "k" = "v"; then index 62 finds it.
    expect(decoder.decode(hex("40 016b 0176 be"), 65536)).toEqual([
      ["k", "v"],
      ["k", "v"],
    ]);
    // Size update to 0 empties the table: index 62 no longer exists.
    expect(() => decoder.decode(hex("20 be"), 65536)).toThrow(HpackError);
  });

  test("malformed blocks are errors, never a crash", () => {
    const bad = [
      "80", // index 0
      "ff", // integer cut short
      "0f", // literal name index cut short
      "00 05 6162", // string past the end
      "00 81 ff 00", // Huffman string that is all padding (more than 7 bits)
      "00 84 ffffffff 00", // EOS inside a string
      "3fe21f", // table size update to 4097, above the announced 4096
      "82 20", // table size update after a field
    ];
    for (const block of bad) expect(() => new HpackDecoder().decode(hex(block), 65536), block).toThrow(HpackError);
    expect(() => new HpackDecoder().decode(hex("82 82 82"), 40)).toThrow(/header list over/);
  });
});
