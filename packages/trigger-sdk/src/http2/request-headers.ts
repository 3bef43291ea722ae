// A request's header list as one record, checked as RFC 9113 §8.3 asks of a request.
const PSEUDO = new Set([":method", ":scheme", ":path", ":authority"]);

/**
 * The request's fields as one record, or undefined when malformed (uppercase names, misplaced pseudo-headers). The
 * record is frozen: the connection hands one record to every stream whose header block was the same.
 */
export function requestHeaders(fields: readonly [string, string][]): Readonly<Record<string, string>> | undefined {
  const headers: Record<string, string> = Object.create(null); // no prototype: a field named __proto__ stays a field
  let regularSeen = false;
  for (const [name, value] of fields) {
    if (name !== name.toLowerCase() || name === "") return undefined;
    if (name.startsWith(":")) {
      if (regularSeen || !PSEUDO.has(name) || headers[name] !== undefined) return undefined;
    } else {
      regularSeen = true;
    }
    const before = headers[name];
    headers[name] = before === undefined ? value : `${before}, ${value}`;
  }
  return headers[":method"] === undefined || headers[":path"] === undefined ? undefined : Object.freeze(headers);
}

/** One connection's reader: a list handed out again for an equal block (header-block.ts) is checked only once. */
export class RequestHeaders {
  private lastFields: readonly [string, string][] | undefined;
  private lastHeaders: Readonly<Record<string, string>> | undefined;

  of(fields: readonly [string, string][]): Readonly<Record<string, string>> | undefined {
    if (fields !== this.lastFields) {
      this.lastFields = fields;
      this.lastHeaders = requestHeaders(fields);
    }
    return this.lastHeaders;
  }
}
