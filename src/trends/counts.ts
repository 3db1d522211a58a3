import type { EventFact } from './eventFacts.js';
import { type PeriodUnit, periodStart, periodStarts } from './periods.js';

/** Counts per threat per period, dense (zero where nothing happened) so charts and trends line up. */
export interface PeriodCounts {
  readonly unit: PeriodUnit;
  /** Period starts, ms since the epoch, ascending. */
  readonly periods: readonly number[];
  /** threat id → count per period, aligned with `periods`. */
  readonly series: ReadonlyMap<string, readonly number[]>;
}

export function countsByPeriod(facts: readonly EventFact[], unit: PeriodUnit, from: number, to: number): PeriodCounts {
  const periods = periodStarts(from, to, unit);
  const index = new Map(periods.map((p, i) => [p, i]));
  const series = new Map<string, number[]>();
  for (const f of facts) {
    if (f.threatId === null || f.time < from || f.time > to) continue;
    const i = index.get(periodStart(f.time, unit));
    if (i === undefined) continue;
    let row = series.get(f.threatId);
    if (!row) {
      row = new Array<number>(periods.length).fill(0);
      series.set(f.threatId, row);
    }
    row[i] = (row[i] as number) + f.weight;
  }
  return { unit, periods, series };
}
