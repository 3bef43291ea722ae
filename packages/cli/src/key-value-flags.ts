// Repeatable KEY=VALUE flags (-c on trigger install, -v on run start, -m key:value on token create). The value may
// hold spaces and further separators: only the first one splits. A later repeat of a key wins.
import { usageError } from "./exit-codes.js";

export function parseKeyValueFlags(values: readonly string[], flag: string, separator = "="): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const value of values) {
    const at = value.indexOf(separator);
    const key = at === -1 ? "" : value.slice(0, at).trim();
    if (key === "") {
      throw usageError(
        `${flag} ${JSON.stringify(value)}: expected KEY${separator}VALUE`,
        `e.g. ${flag} MIN_DURATION${separator}1m (repeat the flag for more)`,
      );
    }
    pairs[key] = value.slice(at + 1);
  }
  return pairs;
}
