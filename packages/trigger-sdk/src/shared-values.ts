// Subscriptions repeat a few values many times over: a namespace, a label, the same settings ("EVERY=1h"). Each decoded
// request carries its own copy of them, which a trigger holding 10,000 subscriptions would keep 10,000 times. A pool
// hands back the first copy of an equal value instead. It is bounded: once full it starts over, which costs nothing
// but the sharing (values already handed out stay valid; they are immutable).

export class SharedValues<T> {
  private readonly values = new Map<string, T>();

  constructor(private readonly limit = 1024) {}

  /** The value pooled under key, or make()'s, pooled from now on. */
  get(key: string, make: () => T): T {
    const pooled = this.values.get(key);
    if (pooled !== undefined) return pooled;
    const value = make();
    if (this.values.size >= this.limit) this.values.clear();
    this.values.set(key, value);
    return value;
  }

  /** An equal string, the first one seen (strings are their own key). */
  static string(pool: SharedValues<string>, value: string): string {
    return pool.get(value, () => value);
  }
}
