/** Calendar periods in UTC: the bulletin's days, ISO weeks (Monday first) and months. */
export type PeriodUnit = 'day' | 'week' | 'month';

export const DAY_MS = 86_400_000;

/** The start of the period containing `ms`. */
export function periodStart(ms: number, unit: PeriodUnit): number {
  const d = new Date(ms);
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  if (unit === 'day') return day;
  if (unit === 'week') return day - ((d.getUTCDay() + 6) % 7) * DAY_MS;
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** The start of the period after the one starting at `start`. */
export function nextPeriod(start: number, unit: PeriodUnit): number {
  if (unit === 'day') return start + DAY_MS;
  if (unit === 'week') return start + 7 * DAY_MS;
  const d = new Date(start);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/** Every period start from the one containing `from` up to the one containing `to` (inclusive). */
export function periodStarts(from: number, to: number, unit: PeriodUnit): number[] {
  const out: number[] = [];
  for (let p = periodStart(from, unit); p <= to; p = nextPeriod(p, unit)) out.push(p);
  return out;
}

/** A unit that gives a readable number of points for a span: days up to ~2 months, weeks up to ~2 years. */
export function unitFor(spanMs: number): PeriodUnit {
  if (spanMs <= 62 * DAY_MS) return 'day';
  if (spanMs <= 730 * DAY_MS) return 'week';
  return 'month';
}

/** `2003-02-03`, `2003-W06`, `2003-02`. */
export function periodLabel(start: number, unit: PeriodUnit): string {
  const iso = new Date(start).toISOString();
  if (unit === 'day') return iso.slice(0, 10);
  if (unit === 'month') return iso.slice(0, 7);
  return isoWeekLabel(start);
}

function isoWeekLabel(monday: number): string {
  // ISO week-numbering year: the year of the week's Thursday.
  const thursday = new Date(monday + 3 * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}
