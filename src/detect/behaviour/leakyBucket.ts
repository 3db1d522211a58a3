import { LeastRecent } from '../../observe/leastRecent.js';

/**
 * Leaky buckets per key (CrowdSec's scenario buckets): each item poured raises the level by
 * one, the level drains by one every `leakMs`, and a bucket that holds more than `capacity`
 * overflows. The overflow says how many items filled it since when, hands back the last few
 * items (the evidence), and the key then rests for `cooldownMs` (CrowdSec's blackhole) so one
 * burst is one finding, not dozens.
 *
 * Pure: the caller passes the time; nothing reads a clock. Memory is bounded: at most
 * `capacity + 1` levels and `keep` items per bucket, `maxKeys` buckets and `maxItems` levels in
 * all, the least recently poured buckets evicted first.
 */
export interface BucketSpec {
  readonly capacity: number;
  readonly leakMs: number;
  readonly cooldownMs: number;
  /** Count an item only if no item with the same distinct value is in the bucket (distinct paths). */
  readonly distinct: boolean;
  /** How many of the latest items a bucket holds for the evidence (default: all it counts). */
  readonly keep?: number;
}

/** A bucket that overflowed: how many items filled it, since when, and the latest of them. */
export interface Overflow<T> {
  readonly count: number;
  /** The time of the oldest item still counted. */
  readonly first: number;
  /** The latest `keep` items, oldest first. */
  readonly items: readonly T[];
}

interface Bucket<T> {
  /** When each counted item was poured, oldest first; the level is their number. */
  readonly times: number[];
  /** Each counted item's distinct value (only for a distinct bucket). */
  readonly values: string[];
  /** The latest `keep` items. */
  readonly items: T[];
  /** When the level last drained (or the bucket started), so partial leak periods carry over. */
  drainedAt: number;
  /** Until then the key is resting after an overflow: items are ignored. */
  restUntil: number;
  /** The stamp of its latest pour: its entry in the recency queue with this stamp is the live one. */
  touched: number;
}

export interface BucketBounds {
  readonly maxKeys?: number;
  readonly maxItems?: number;
}

export class LeakyBuckets<T> {
  readonly #spec: BucketSpec;
  readonly #keep: number;
  readonly #maxKeys: number;
  readonly #maxItems: number;
  readonly #buckets = new Map<string, Bucket<T>>();
  /** Recency: least recently poured first, by each bucket's `touched` stamp. */
  readonly #recency = new LeastRecent((key) => this.#buckets.get(key)?.touched);
  /** Levels of all buckets together. */
  #items = 0;

  constructor(spec: BucketSpec, bounds: BucketBounds = {}) {
    if (!(spec.capacity >= 1 && spec.leakMs > 0 && spec.cooldownMs >= 0))
      throw new RangeError('a bucket needs capacity ≥ 1, leakMs > 0 and cooldownMs ≥ 0');
    this.#spec = spec;
    this.#keep = Math.max(0, Math.min(spec.keep ?? Number.POSITIVE_INFINITY, spec.capacity + 1));
    this.#maxKeys = Math.max(1, bounds.maxKeys ?? 100_000);
    this.#maxItems = Math.max(spec.capacity + 1, bounds.maxItems ?? 50_000);
  }

  /** Buckets kept. */
  get size(): number {
    return this.#buckets.size;
  }

  /** Items counted, in all buckets. */
  get items(): number {
    return this.#items;
  }

  /**
   * Pour one item into `key`'s bucket at `time` (times are expected in order; an earlier one
   * drains nothing). Returns the overflow when this item makes the bucket overflow, else null.
   * `overflows` false: counted only (an item another process judged, see HttpBehaviour.heard):
   * a full bucket stays full, at `capacity + 1` (the oldest item out), for the next own item.
   */
  pour(key: string, time: number, item: T, value = '', overflows = true): Overflow<T> | null {
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      bucket = { times: [], values: [], items: [], drainedAt: time, restUntil: Number.NEGATIVE_INFINITY, touched: 0 };
      this.#buckets.set(key, bucket);
    }
    this.#touch(key, bucket);
    if (this.#buckets.size > this.#maxKeys) this.#evictOldest();
    if (time < bucket.restUntil) return null;
    this.#drain(bucket, time);
    if (this.#spec.distinct) {
      if (bucket.values.includes(value)) return null;
      bucket.values.push(value);
    }
    bucket.times.push(time);
    if (this.#keep > 0) {
      bucket.items.push(item);
      if (bucket.items.length > this.#keep) bucket.items.shift();
    }
    this.#items++;
    // The bucket just poured into is the most recent: the oldest go first, never it.
    while (this.#items > this.#maxItems) this.#evictOldest();
    if (bucket.times.length <= this.#spec.capacity) return null;
    if (!overflows) {
      if (bucket.times.length > this.#spec.capacity + 1) {
        bucket.times.shift();
        if (this.#spec.distinct) bucket.values.shift();
        this.#items--;
      }
      return null;
    }
    const overflow = { count: bucket.times.length, first: bucket.times[0] as number, items: bucket.items.splice(0) };
    this.#items -= bucket.times.length;
    bucket.times.length = 0;
    bucket.values.length = 0;
    bucket.drainedAt = time;
    bucket.restUntil = time + this.#spec.cooldownMs;
    return overflow;
  }

  #drain(bucket: Bucket<T>, time: number): void {
    const elapsed = time - bucket.drainedAt;
    if (elapsed < this.#spec.leakMs) return;
    const leaks = Math.min(bucket.times.length, Math.floor(elapsed / this.#spec.leakMs));
    if (leaks === bucket.times.length) bucket.drainedAt = time;
    else bucket.drainedAt += leaks * this.#spec.leakMs;
    bucket.times.splice(0, leaks);
    if (this.#spec.distinct) bucket.values.splice(0, leaks);
    // Items held are the latest counted ones: never more of them than are still counted.
    if (bucket.items.length > bucket.times.length) bucket.items.splice(0, bucket.items.length - bucket.times.length);
    this.#items -= leaks;
  }

  #touch(key: string, bucket: Bucket<T>): void {
    bucket.touched = this.#recency.touch(key, this.#buckets.size);
  }

  #evictOldest(): void {
    const key = this.#recency.popOldest();
    if (key === undefined) return;
    this.#items -= (this.#buckets.get(key) as Bucket<T>).times.length;
    this.#buckets.delete(key);
  }
}
