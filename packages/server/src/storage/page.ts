/** One page of a list: skip `offset` rows (default 0), return at most `limit`. Callers cap `limit` (config). */
export interface Page {
  readonly offset?: number;
  readonly limit: number;
}
