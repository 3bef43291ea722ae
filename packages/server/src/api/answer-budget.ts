// Keeps list answers under gRPC's default 4 MB message limit, whatever was stored: a page ends early when the next
// item would take the encoded answer past the budget, and the caller continues with a larger offset. Input limits
// (validation/input-limits.ts) make that rare; this covers rows stored before them and many large rows together.
import type { Logger } from "winston";

/** Comfortably under 4,194,304 bytes, leaving room for the message framing and the other fields. */
export const ANSWER_BUDGET_BYTES = 3 * 1024 * 1024;

export interface BudgetOptions<T> {
  /** The item's encoded size in bytes. */
  size(item: T): number;
  /** A smaller stand-in for an item that alone passes the budget (e.g. without its description), if there is one. */
  shrink?(item: T): T;
  /** Names the item in the warning when it cannot be listed at all. */
  describe(item: T): string;
  logger: Logger;
  budgetBytes?: number;
}

/**
 * The longest prefix of `items` that fits the budget. An item too large on its own is shrunk; if even that does not
 * fit it is left out with a warning naming it (to update or delete by id), so one such row cannot break the listing.
 */
export function fitAnswer<T>(items: readonly T[], options: BudgetOptions<T>): T[] {
  const budget = options.budgetBytes ?? ANSWER_BUDGET_BYTES;
  const page: T[] = [];
  let used = 0;
  for (const original of items) {
    let item = original;
    // Field tag and length prefix of a repeated message: at most 1 + 5 bytes.
    let size = options.size(item) + 6;
    if (size > budget && options.shrink) {
      item = options.shrink(item);
      size = options.size(item) + 6;
    }
    if (size > budget) {
      options.logger.warn("left an item out of a list answer: it is larger than an answer may be", {
        item: options.describe(original),
        bytes: size,
        budgetBytes: budget,
      });
      continue;
    }
    if (used + size > budget) break;
    page.push(item);
    used += size;
  }
  return page;
}
