// --limit and --offset: whole numbers, checked before anything is sent, so `--limit ten` is a usage error naming
// the flag and the value rather than a failure deep in a request.
import { usageError } from "./exit-codes.js";

function wholeNumber(value: unknown, flag: string, min: number): number {
  const text = String(value).trim();
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min) {
    throw usageError(`${flag} ${JSON.stringify(String(value))}: expected a whole number, ${min} or more`);
  }
  return n;
}

/** How many to show: 1 or more. */
export function parseLimit(value: unknown, flag = "--limit"): number {
  return wholeNumber(value, flag, 1);
}

/** How many to skip: 0 or more. */
export function parseOffset(value: unknown, flag = "--offset"): number {
  return wholeNumber(value, flag, 0);
}

export const limitOption = {
  alias: "l",
  type: "string",
  default: "10",
  describe: "How many to list",
} as const;

export const offsetOption = { type: "string", default: "0", describe: "How many to skip" } as const;
