// Webhooks as a trigger receives them: Gofer forwards the whole HTTP request as HTTP/1.1 wire bytes (spec §2.9).
// parseExternalEvent turns those bytes back into method, target, headers (order, case and repeats kept) and the exact
// body; verifyHmacSha256 checks a signature over the body the way GitHub signs deliveries (X-Hub-Signature-256:
// "sha256=<hex>"), and in a generic form for senders that put the bare hex or base64 digest in a header.
import { createHmac, timingSafeEqual } from "node:crypto";

export class ExternalEventParseError extends Error {
  override name = "ExternalEventParseError";
}

export class ExternalEvent {
  constructor(
    readonly method: string,
    /** The request target: path and query, as sent. */
    readonly target: string,
    readonly httpVersion: string,
    /** Every header as sent: [name, value] in order, repeats kept, names in their original case. */
    readonly headers: ReadonlyArray<readonly [string, string]>,
    readonly body: Buffer,
    /** The payload as Gofer forwarded it. */
    readonly raw: Buffer,
  ) {}

  /** The path without the query. */
  get path(): string {
    const at = this.target.indexOf("?");
    return at === -1 ? this.target : this.target.slice(0, at);
  }

  /** The first value of a header, matched case-insensitively; undefined when absent. */
  header(name: string): string | undefined {
    const wanted = name.toLowerCase();
    return this.headers.find(([key]) => key.toLowerCase() === wanted)?.[1];
  }

  /** Every value of a header, in order. */
  headerValues(name: string): string[] {
    const wanted = name.toLowerCase();
    return this.headers.filter(([key]) => key.toLowerCase() === wanted).map(([, value]) => value);
  }
}

function indexOfLineEnd(bytes: Buffer, from: number): { at: number; length: number } {
  const lf = bytes.indexOf(0x0a, from);
  if (lf === -1) return { at: -1, length: 0 };
  return lf > from && bytes[lf - 1] === 0x0d ? { at: lf - 1, length: 2 } : { at: lf, length: 1 };
}

function dechunk(bytes: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const end = indexOfLineEnd(bytes, at);
    if (end.at === -1) throw new ExternalEventParseError("chunked body: a chunk size line is not terminated");
    const sizeText = bytes.subarray(at, end.at).toString("latin1").split(";", 1)[0]?.trim() ?? "";
    if (!/^[0-9a-fA-F]+$/.test(sizeText)) {
      throw new ExternalEventParseError(`chunked body: chunk size ${JSON.stringify(sizeText)} is not hexadecimal`);
    }
    const size = Number.parseInt(sizeText, 16);
    at = end.at + end.length;
    if (size === 0) return Buffer.concat(parts);
    if (at + size > bytes.length) throw new ExternalEventParseError("chunked body: a chunk is cut short");
    parts.push(bytes.subarray(at, at + size));
    at += size;
    const after = indexOfLineEnd(bytes, at);
    if (after.at !== at) throw new ExternalEventParseError("chunked body: a chunk is not followed by a line end");
    at += after.length;
  }
}

/** Parses the payload of an ExternalEvent call. Throws ExternalEventParseError saying what is wrong. */
export function parseExternalEvent(payload: Uint8Array): ExternalEvent {
  const raw = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  const first = indexOfLineEnd(raw, 0);
  if (first.at === -1) throw new ExternalEventParseError("payload has no request line");
  const requestLine = raw.subarray(0, first.at).toString("latin1");
  const match = /^([A-Z!#$%&'*+.^_`|~0-9-]+) (\S+) (HTTP\/\d\.\d)$/i.exec(requestLine);
  if (!match) {
    throw new ExternalEventParseError(
      `payload does not start with an HTTP request line: ${JSON.stringify(requestLine)}`,
    );
  }
  const headers: Array<[string, string]> = [];
  let at = first.at + first.length;
  for (;;) {
    const end = indexOfLineEnd(raw, at);
    if (end.at === -1) throw new ExternalEventParseError("payload headers do not end with a blank line");
    if (end.at === at) {
      at += end.length;
      break;
    }
    const line = raw.subarray(at, end.at).toString("latin1");
    const colon = line.indexOf(":");
    if (colon <= 0) throw new ExternalEventParseError(`malformed header line ${JSON.stringify(line)}`);
    headers.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
    at = end.at + end.length;
  }
  const rest = raw.subarray(at);
  const lower = (name: string) => headers.find(([k]) => k.toLowerCase() === name)?.[1];
  let body: Buffer;
  if (/chunked/i.test(lower("transfer-encoding") ?? "")) {
    body = dechunk(rest);
  } else if (lower("content-length") !== undefined) {
    const length = Number(lower("content-length"));
    if (!Number.isSafeInteger(length) || length < 0) {
      throw new ExternalEventParseError(`Content-Length ${JSON.stringify(lower("content-length"))} is not a length`);
    }
    if (length > rest.length) {
      throw new ExternalEventParseError(`Content-Length is ${length} but only ${rest.length} body bytes follow`);
    }
    body = rest.subarray(0, length);
  } else {
    body = rest;
  }
  return new ExternalEvent(match[1] ?? "", match[2] ?? "", match[3] ?? "", headers, body, raw);
}

export interface HmacOptions {
  /** Text before the digest in the header, e.g. "sha256=" (GitHub's, the default); "" for a bare digest. */
  prefix?: string;
  /** How the digest is written: hex (default, case-insensitive) or base64. */
  encoding?: "hex" | "base64";
}

/**
 * Whether `signatureHeader` holds the HMAC-SHA256 of `body` under `secret`, compared in constant time. With the
 * defaults this is GitHub's X-Hub-Signature-256 ("sha256=<64 hex>"); a missing or malformed header is false.
 */
export function verifyHmacSha256(
  secret: string | Buffer,
  body: Buffer | string,
  signatureHeader: string | undefined,
  options: HmacOptions = {},
): boolean {
  if (signatureHeader === undefined) return false;
  const prefix = options.prefix ?? "sha256=";
  const encoding = options.encoding ?? "hex";
  const header = signatureHeader.trim();
  if (!header.toLowerCase().startsWith(prefix.toLowerCase())) return false;
  const digestText = header.slice(prefix.length);
  const valid = encoding === "hex" ? /^[0-9a-fA-F]{64}$/ : /^[A-Za-z0-9+/]{43}=$/;
  if (!valid.test(digestText)) return false;
  const given = Buffer.from(digestText, encoding);
  const expected = createHmac("sha256", secret).update(body).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The header value a sender following GitHub's scheme would send for `body` ("sha256=<hex>"). */
export function signHmacSha256(secret: string | Buffer, body: Buffer | string, prefix = "sha256="): string {
  return `${prefix}${createHmac("sha256", secret).update(body).digest("hex")}`;
}
