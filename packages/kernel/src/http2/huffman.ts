// HPACK's Huffman code (RFC 7541 Appendix B), decoding only: this server never Huffman-codes what it sends.
//
// The code is canonical: codes of one length are consecutive and follow byte order, and each length's first code is
// (the previous length's last code + 1) shifted left. So the code lengths below, one per symbol 0..256 (256 is EOS),
// define it completely; the tests check the result against nghttp2's encoder and decoder.
const CODE_LENGTHS: readonly number[] = [
  // 0..31: control bytes
  13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28,
  28, 28, 28,
  // 32..63: ' ' to '?'
  6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
  // 64..95: '@' to '_'
  13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
  // 96..127: '`' to DEL
  15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, 6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
  // 128..255
  20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, 24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22,
  23, 23, 24, 22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, 21, 21, 22, 21, 23, 22, 23, 23, 20, 22,
  22, 22, 23, 22, 22, 23, 26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, 19, 21, 26, 27, 27, 26, 27,
  24, 21, 21, 26, 26, 28, 27, 27, 27, 20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, 26, 27, 26, 26,
  27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
  // 256: EOS
  30,
];
const EOS = 256;
const MAX_LENGTH = 30;

/** Symbols in code order (by length, then by value); per length, the first code and where its symbols start. */
const symbolsInCodeOrder: number[] = [];
const firstCode = new Array<number>(MAX_LENGTH + 1).fill(0);
const countOfLength = new Array<number>(MAX_LENGTH + 1).fill(0);
const startOfLength = new Array<number>(MAX_LENGTH + 1).fill(0);
/** Each symbol's code, for tests and for the test-side encoder. */
export const HUFFMAN_CODES: readonly { code: number; length: number }[] = buildCodes();

function buildCodes(): { code: number; length: number }[] {
  for (const length of CODE_LENGTHS) countOfLength[length] = (countOfLength[length] as number) + 1;
  let code = 0;
  for (let length = 1; length <= MAX_LENGTH; length++) {
    firstCode[length] = code;
    startOfLength[length] = symbolsInCodeOrder.length;
    for (let symbol = 0; symbol < CODE_LENGTHS.length; symbol++) {
      if (CODE_LENGTHS[symbol] === length) symbolsInCodeOrder.push(symbol);
    }
    code = (code + (countOfLength[length] as number)) * 2;
  }
  const codes: { code: number; length: number }[] = [];
  for (let length = 1; length <= MAX_LENGTH; length++) {
    for (let i = 0; i < (countOfLength[length] as number); i++) {
      const symbol = symbolsInCodeOrder[(startOfLength[length] as number) + i] as number;
      codes[symbol] = { code: (firstCode[length] as number) + i, length };
    }
  }
  return codes;
}

/**
 * Decodes a Huffman-coded string into latin1 text (one char per byte). Null when the input is not valid: EOS
 * inside it, padding longer than 7 bits, or padding that is not the most significant bits of EOS (all ones).
 */
export function decodeHuffman(input: Uint8Array, start: number, end: number): string | null {
  let out = "";
  let code = 0;
  let length = 0;
  let ones = true; // the bits since the last symbol are all ones (a valid padding so far)
  for (let i = start; i < end; i++) {
    const byte = input[i] as number;
    for (let bit = 7; bit >= 0; bit--) {
      const b = (byte >> bit) & 1;
      code = code * 2 + b;
      length++;
      if (b === 0) ones = false;
      const offset = code - (firstCode[length] as number);
      if (offset >= 0 && offset < (countOfLength[length] as number)) {
        const symbol = symbolsInCodeOrder[(startOfLength[length] as number) + offset] as number;
        if (symbol === EOS) return null;
        out += String.fromCharCode(symbol);
        code = 0;
        length = 0;
        ones = true;
      } else if (length >= MAX_LENGTH) {
        return null;
      }
    }
  }
  return length <= 7 && ones ? out : null;
}
