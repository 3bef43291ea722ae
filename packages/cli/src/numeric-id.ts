// Numeric ids typed on the command line (run ids, event ids), checked before anything is sent: the wire carries int64
// and the server holds ids exactly only up to 2^53 - 1, so a larger number could never name anything. Sent
// unchecked it came back rounded (9223372036854775807 → 9223372036854776000) or failed in serialization.
import { usageError } from "./exit-codes.js";

/** The largest id the server can hold exactly. */
export const MAX_ID = BigInt(Number.MAX_SAFE_INTEGER);

/** @throws CliError (exit 2) unless 1 ≤ id ≤ 2^53 - 1. */
export function checkIdRange(id: bigint, what: string, hint?: string): bigint {
  if (id < 1n || id > MAX_ID) {
    throw usageError(`${what} ${id} is out of range: ids are whole numbers from 1 to ${MAX_ID}`, hint);
  }
  return id;
}

/** `text` as an id: digits only, then in range. @throws CliError (exit 2) naming what and the value. */
export function parseNumericId(value: unknown, what: string, hint?: string): bigint {
  const text = String(value).trim();
  if (!/^\d+$/.test(text)) throw usageError(`${what} ${JSON.stringify(String(value))} is not a number`, hint);
  return checkIdRange(BigInt(text), what, hint);
}
