import { LeakyBuckets } from '../../detect/behaviour/leakyBucket.js';
import type { FindingWeight } from '../../detect/network/networkRules.js';

/** What a burst counter is set up with: its window and rest (seconds), and how its findings weigh. */
export type BurstSettings = FindingWeight & { readonly windowSeconds: number; readonly cooldownSeconds: number };

/**
 * A "more than `count` within `windowSeconds`" detector's counting (SSH connections, failed
 * logins): a burst on the count-th distinct event, then `cooldownSeconds` of rest, per key, for
 * at most `maxKeys` keys.
 */
export class BurstCounter {
  readonly #buckets: LeakyBuckets<number>;

  constructor(
    readonly settings: BurstSettings,
    count: number,
    maxKeys: number,
  ) {
    this.#buckets = new LeakyBuckets<number>(
      {
        capacity: count - 1,
        leakMs: (settings.windowSeconds * 1000) / count,
        cooldownMs: settings.cooldownSeconds * 1000,
        distinct: true,
        keep: 0,
      },
      { maxKeys, maxItems: maxKeys * 4 },
    );
  }

  /** One event (`item` tells retransmissions apart) under `key`; the burst it completes: how many, over how many seconds. */
  count(key: string, timeMs: number, item: string): { readonly count: number; readonly seconds: number } | null {
    const overflow = this.#buckets.pour(key, timeMs, timeMs, item);
    if (overflow === null) return null;
    return { count: overflow.count, seconds: Math.round((timeMs - overflow.first) / 1000) };
  }
}
