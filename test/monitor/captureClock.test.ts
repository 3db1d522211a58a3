import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CaptureClock } from '../../src/monitor/capture/clock.js';

describe('CaptureClock', () => {
  test('nanoseconds since the first frame, exact, for micro- and nanosecond captures', () => {
    for (const [precision, unit] of [
      [6, 1000n],
      [9, 1n],
    ] as const) {
      const clock = new CaptureClock();
      const first = { seconds: 1_700_000_000, fraction: precision === 6 ? 999_999 : 999_999_999 };
      const frames = [
        first,
        { seconds: 1_700_000_000, fraction: precision === 6 ? 999_999 : 999_999_999 },
        { seconds: 1_700_000_001, fraction: 0 },
        { seconds: 1_700_000_002, fraction: 1 },
        { seconds: 1_700_000_003, fraction: 123_456 },
        { seconds: 1_700_086_400, fraction: 7 },
        { seconds: 1_708_000_000, fraction: 654_321 },
      ];
      const startNs = BigInt(first.seconds) * 1_000_000_000n + BigInt(first.fraction) * unit;
      for (const f of frames) {
        const expected = BigInt(f.seconds) * 1_000_000_000n + BigInt(f.fraction) * unit - startNs;
        const ns = clock.ns(f.seconds, f.fraction, precision);
        assert.ok(Number.isInteger(ns), `${ns} is a whole number of nanoseconds`);
        assert.equal(BigInt(ns), expected, `${f.seconds}.${f.fraction} at precision ${precision}`);
      }
    }
  });
});
