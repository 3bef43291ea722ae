// Key names of secrets and objects. The original accepted any non-empty key for secrets and any key at all for objects
// (spec §9.1, §9.2); we accept what can be written inside `pipeline_secret{{…}}` unambiguously and shown in a shell.
import { InvalidArgumentError } from "../errors.js";

const KEY = /^[A-Za-z0-9_.-]{1,128}$/;

/** @param what e.g. "secret key", "object key" */
export function checkStoreKey(what: string, key: string): void {
  if (!KEY.test(key)) {
    throw new InvalidArgumentError(
      `${what} ${JSON.stringify(key.length > 140 ? `${key.slice(0, 140)}…` : key)} must be 1-128 letters, digits, "_", "." or "-"`,
    );
  }
}
