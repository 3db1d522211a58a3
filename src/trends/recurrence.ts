import { DAY_MS } from './periods.js';

/** A burst of activity: facts no further apart than the episode gap. */
export interface Episode {
  readonly start: number;
  readonly end: number;
  readonly count: number;
}

export interface Recurrence {
  /** What recurs: a source address or a threat id. */
  readonly key: string;
  readonly by: 'source' | 'threat';
  readonly episodes: readonly Episode[];
  /** Days between consecutive episode starts. */
  readonly intervalsDays: readonly number[];
  /** The median interval, in whole days: the rough period. Null with fewer than two episodes. */
  readonly periodDays: number | null;
  /** Largest deviation of an interval from the period, as a fraction of it (0 = clockwork). */
  readonly spread: number | null;
  /** Expected start of the next episode, when the recurrence is regular enough to guess. */
  readonly nextExpected: number | null;
}

/** Cut sorted times into episodes wherever the gap between two is larger than `gapMs`. */
export function episodesOf(sortedTimes: readonly number[], gapMs: number, weights?: readonly number[]): Episode[] {
  const out: Episode[] = [];
  let start = Number.NaN;
  let end = Number.NaN;
  let count = 0;
  sortedTimes.forEach((t, i) => {
    const w = weights?.[i] ?? 1;
    if (count > 0 && t - end <= gapMs) {
      end = t;
      count += w;
      return;
    }
    if (count > 0) out.push({ start, end, count });
    start = t;
    end = t;
    count = w;
  });
  if (count > 0) out.push({ start, end, count });
  return out;
}

/**
 * Recurrence of one key's activity: its episodes, the intervals between them, and a rough
 * period (the median interval) — "4 episodes, about every 120 days". Regular enough to predict
 * the next episode when no interval strays more than half a period from the median.
 */
export function recurrenceOf(
  key: string,
  by: Recurrence['by'],
  sortedTimes: readonly number[],
  gapMs = DAY_MS,
  weights?: readonly number[],
): Recurrence {
  const episodes = episodesOf(sortedTimes, gapMs, weights);
  const intervalsDays = episodes.slice(1).map((e, i) => (e.start - (episodes[i] as Episode).start) / DAY_MS);
  if (intervalsDays.length === 0)
    return { key, by, episodes, intervalsDays, periodDays: null, spread: null, nextExpected: null };
  const period = median(intervalsDays);
  const spread = period > 0 ? Math.max(...intervalsDays.map((d) => Math.abs(d - period))) / period : null;
  const last = episodes[episodes.length - 1] as Episode;
  const nextExpected = spread !== null && spread <= 0.5 ? last.start + period * DAY_MS : null;
  return {
    key,
    by,
    episodes,
    intervalsDays: intervalsDays.map(round1),
    periodDays: Math.round(period),
    spread: spread === null ? null : round1(spread * 100) / 100,
    nextExpected,
  };
}

/** Recurrences of every key with at least `minEpisodes` episodes, most episodes first. */
export function recurrences(
  timesByKey: ReadonlyMap<string, readonly number[]>,
  by: Recurrence['by'],
  options: { gapMs?: number; minEpisodes?: number } = {},
): Recurrence[] {
  const out: Recurrence[] = [];
  for (const [key, times] of timesByKey) {
    const sorted = [...times].sort((a, b) => a - b);
    const r = recurrenceOf(key, by, sorted, options.gapMs ?? DAY_MS);
    if (r.episodes.length >= (options.minEpisodes ?? 2)) out.push(r);
  }
  return out.sort((a, b) => b.episodes.length - a.episodes.length || (a.key < b.key ? -1 : 1));
}

/** "4 episodes, about every 120 days (intervals 120, 120, 120 days)". */
export function describeRecurrence(r: Recurrence): string {
  const n = r.episodes.length;
  if (r.periodDays === null) return `${n} episode${n === 1 ? '' : 's'}`;
  const every = r.periodDays === 1 ? 'about every day' : `about every ${r.periodDays} days`;
  const regular = r.spread !== null && r.spread <= 0.5;
  const intervals = r.intervalsDays.map((d) => String(Math.round(d))).join(', ');
  const tail = regular ? `${every} (intervals ${intervals} days)` : `irregularly (intervals ${intervals} days)`;
  return `${n} episodes, ${tail}`;
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
