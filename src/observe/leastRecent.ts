/**
 * Least-recently-used order for a bounded table keyed by text (per-source buckets and scores),
 * without a Map's own order. Keeping recency by deleting and re-inserting a Map key on each use
 * makes eviction quadratic: V8's `keys().next()` steps over every deleted slot still at the
 * front of the table (13 µs a use for the behaviour buckets once full, over 100 µs for source
 * scores under a flood of new sources).
 *
 * Every use appends (key, stamp); the table keeps each key's latest stamp, and a queued entry
 * whose stamp is no longer its key's is stale and skipped. Amortised O(1) per use and eviction.
 */
export class LeastRecent {
  /** The stamp the owning table holds for a key, or undefined once the key is gone. */
  readonly #stampOf: (key: string) => number | undefined;
  #keys: string[] = [];
  #stamps: number[] = [];
  #head = 0;
  #stamp = 0;

  constructor(stampOf: (key: string) => number | undefined) {
    this.#stampOf = stampOf;
  }

  /** Note a use of `key`; the table must keep the stamp returned as the key's. `live` is the table's size. */
  touch(key: string, live: number): number {
    const stamp = ++this.#stamp;
    this.#keys.push(key);
    this.#stamps.push(stamp);
    // Stale entries outnumber the live ones (a few keys used often): keep only the live.
    if (this.#keys.length - this.#head > 2 * live + 1024) this.#compact(true);
    return stamp;
  }

  /** The least recently used key still in the table (it leaves this order), or undefined. */
  popOldest(): string | undefined {
    while (this.#head < this.#keys.length) {
      const key = this.#keys[this.#head] as string;
      const stamp = this.#stamps[this.#head] as number;
      this.#head++;
      if (this.#stampOf(key) !== stamp) continue;
      if (this.#head > 1024 && this.#head * 2 > this.#keys.length) this.#compact(false);
      return key;
    }
    return undefined;
  }

  /** Drop the queue's consumed front (and with `stale`, every stale entry), in order. */
  #compact(stale: boolean): void {
    const keys: string[] = [];
    const stamps: number[] = [];
    for (let i = this.#head; i < this.#keys.length; i++) {
      const key = this.#keys[i] as string;
      const stamp = this.#stamps[i] as number;
      if (stale && this.#stampOf(key) !== stamp) continue;
      keys.push(key);
      stamps.push(stamp);
    }
    this.#keys = keys;
    this.#stamps = stamps;
    this.#head = 0;
  }
}
