import { LeakyBuckets } from '../../detect/behaviour/leakyBucket.js';

/**
 * The buckets of a "more than `count` within `windowSeconds`" detector (SSH connections, failed
 * logins): a finding on the count-th distinct event in a burst, then `cooldownSeconds` of rest,
 * per key, for at most `maxKeys` keys. The overflow's count and first time are the evidence.
 */
export function countBuckets(
  t: { readonly windowSeconds: number; readonly cooldownSeconds: number },
  count: number,
  maxKeys: number,
): LeakyBuckets<number> {
  return new LeakyBuckets<number>(
    {
      capacity: count - 1,
      leakMs: (t.windowSeconds * 1000) / count,
      cooldownMs: t.cooldownSeconds * 1000,
      distinct: true,
      keep: 0,
    },
    { maxKeys, maxItems: maxKeys * 4 },
  );
}
