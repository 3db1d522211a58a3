/**
 * Leaky buckets per key (CrowdSec's scenario buckets): each item poured raises the level by
 * one, the level drains by one every `leakMs`, and a bucket that holds more than `capacity`
 * overflows. The overflow hands back the items that filled it (the evidence), and the key then
 * rests for `cooldownMs` (CrowdSec's blackhole) so one burst is one finding, not dozens.
 *
 * Pure: the caller passes the time; nothing reads a clock. Memory is bounded: at most
 * `capacity + 1` items per bucket, `maxKeys` buckets and `maxItems` items in all (items carry
 * evidence, a log line each), the least recently poured buckets evicted first.
 */
export interface BucketSpec {
  readonly capacity: number;
  readonly leakMs: number;
  readonly cooldownMs: number;
  /** Count an item only if no item with the same distinct value is in the bucket (distinct paths). */
  readonly distinct: boolean;
}

interface Bucket<T> {
  /** Oldest first; the level is their number. */
  readonly items: Array<{ readonly item: T; readonly value: string }>;
  /** When the level last drained (or the bucket started), so partial leak periods carry over. */
  drainedAt: number;
  /** Until then the key is resting after an overflow: items are ignored. */
  restUntil: number;
}

export interface BucketBounds {
  readonly maxKeys?: number;
  readonly maxItems?: number;
}

export class LeakyBuckets<T> {
  readonly #spec: BucketSpec;
  readonly #maxKeys: number;
  readonly #maxItems: number;
  /** Insertion order is recency: re-inserting on use makes the first key the least recent. */
  readonly #buckets = new Map<string, Bucket<T>>();
  /** Items held in all buckets. */
  #items = 0;

  constructor(spec: BucketSpec, bounds: BucketBounds = {}) {
    if (!(spec.capacity >= 1 && spec.leakMs > 0 && spec.cooldownMs >= 0))
      throw new RangeError('a bucket needs capacity ≥ 1, leakMs > 0 and cooldownMs ≥ 0');
    this.#spec = spec;
    this.#maxKeys = Math.max(1, bounds.maxKeys ?? 100_000);
    this.#maxItems = Math.max(spec.capacity + 1, bounds.maxItems ?? 50_000);
  }

  /** Buckets kept. */
  get size(): number {
    return this.#buckets.size;
  }

  /** Items kept, in all buckets. */
  get items(): number {
    return this.#items;
  }

  /**
   * Pour one item into `key`'s bucket at `time` (times are expected in order; an earlier one
   * drains nothing). Returns the bucket's items when this one makes it overflow, else null.
   */
  pour(key: string, time: number, item: T, value = ''): T[] | null {
    let bucket = this.#buckets.get(key);
    if (bucket) this.#buckets.delete(key);
    else bucket = { items: [], drainedAt: time, restUntil: Number.NEGATIVE_INFINITY };
    this.#buckets.set(key, bucket);
    if (this.#buckets.size > this.#maxKeys) this.#evictOldest();
    if (time < bucket.restUntil) return null;
    this.#drain(bucket, time);
    if (this.#spec.distinct && bucket.items.some((i) => i.value === value)) return null;
    bucket.items.push({ item, value });
    this.#items++;
    // The bucket just poured into is the most recent: the oldest go first, never it.
    while (this.#items > this.#maxItems) this.#evictOldest();
    if (bucket.items.length <= this.#spec.capacity) return null;
    const overflow = bucket.items.map((i) => i.item);
    this.#items -= bucket.items.length;
    bucket.items.length = 0;
    bucket.drainedAt = time;
    bucket.restUntil = time + this.#spec.cooldownMs;
    return overflow;
  }

  #drain(bucket: Bucket<T>, time: number): void {
    const elapsed = time - bucket.drainedAt;
    if (elapsed < this.#spec.leakMs) return;
    const leaks = Math.floor(elapsed / this.#spec.leakMs);
    if (leaks >= bucket.items.length) {
      this.#items -= bucket.items.length;
      bucket.items.length = 0;
      bucket.drainedAt = time;
      return;
    }
    bucket.items.splice(0, leaks);
    this.#items -= leaks;
    bucket.drainedAt += leaks * this.#spec.leakMs;
  }

  #evictOldest(): void {
    const oldest = this.#buckets.entries().next();
    if (oldest.done) return;
    const [key, bucket] = oldest.value;
    this.#items -= bucket.items.length;
    this.#buckets.delete(key);
  }
}
