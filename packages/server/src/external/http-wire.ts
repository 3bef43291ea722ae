// A received webhook as HTTP/1.1 wire bytes (spec §2.9): the request line, every header exactly as it arrived (its
// case, its order, repeats kept), a blank line and the body bytes. Triggers parse this back (Go's http.ReadRequest,
// our SDK's parseExternalEvent), and signature checks need both the headers and the untouched body.
//
// Node decodes header bytes as latin1, so encoding them back as latin1 restores the bytes that were sent. A body that
// came chunked was de-chunked by Node; it is sent on as one chunk, so the Transfer-Encoding header it kept still
// describes the bytes that follow.

export interface ReceivedRequest {
  method: string;
  /** The request target as sent: path and query. */
  url: string;
  /** Alternating names and values, as Node's req.rawHeaders. */
  rawHeaders: readonly string[];
  body: Buffer;
}

const CRLF = "\r\n";

function isChunked(rawHeaders: readonly string[]): boolean {
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]?.toLowerCase() === "transfer-encoding" && /chunked/i.test(rawHeaders[i + 1] ?? "")) return true;
  }
  return false;
}

export function toWireBytes(request: ReceivedRequest): Buffer {
  let head = `${request.method} ${request.url} HTTP/1.1${CRLF}`;
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
    head += `${request.rawHeaders[i]}: ${request.rawHeaders[i + 1]}${CRLF}`;
  }
  head += CRLF;
  const parts: Buffer[] = [Buffer.from(head, "latin1")];
  if (isChunked(request.rawHeaders)) {
    if (request.body.length > 0) {
      parts.push(Buffer.from(`${request.body.length.toString(16)}${CRLF}`, "latin1"), request.body, Buffer.from(CRLF));
    }
    parts.push(Buffer.from(`0${CRLF}${CRLF}`, "latin1"));
  } else {
    parts.push(request.body);
  }
  return Buffer.concat(parts);
}
