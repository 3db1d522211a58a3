import type { EventFact } from './eventFacts.js';

export type TrendWord = 'new' | 'rising' | 'steady' | 'declining' | 'gone' | 'quiet';

/** A trend and the numbers behind its word. */
export interface Trend {
  readonly word: TrendWord;
  /** Count in the recent window and in the window of equal length before it. */
  readonly recent: number;
  readonly previous: number;
  /** Relative change in percent (null when `previous` is 0). */
  readonly changePct: number | null;
  readonly windowMs: number;
}

/** How much a count must move, relatively and absolutely, before it is "rising" or "declining". */
export const TREND_THRESHOLDS = { ratio: 1.5, minDelta: 3 } as const;

/**
 * Compare the `windowMs` before `until` with the `windowMs` before that. Rising and declining
 * need both a relative change (×1.5 either way) and an absolute one (3 events), so a single
 * stray hit never makes a headline.
 */
export function trendOf(times: readonly number[], until: number, windowMs: number, weights?: readonly number[]): Trend {
  let recent = 0;
  let previous = 0;
  times.forEach((t, i) => {
    const w = weights?.[i] ?? 1;
    if (t < until && t >= until - windowMs) recent += w;
    else if (t < until - windowMs && t >= until - 2 * windowMs) previous += w;
  });
  return { word: wordFor(recent, previous), recent, previous, changePct: pct(recent, previous), windowMs };
}

export function trendOfFacts(facts: readonly EventFact[], until: number, windowMs: number): Trend {
  return trendOf(
    facts.map((f) => f.time),
    until,
    windowMs,
    facts.map((f) => f.weight),
  );
}

function wordFor(recent: number, previous: number): TrendWord {
  if (recent === 0 && previous === 0) return 'quiet';
  if (previous === 0) return recent >= TREND_THRESHOLDS.minDelta ? 'new' : 'steady';
  if (recent === 0) return previous >= TREND_THRESHOLDS.minDelta ? 'gone' : 'steady';
  const delta = recent - previous;
  if (recent >= previous * TREND_THRESHOLDS.ratio && delta >= TREND_THRESHOLDS.minDelta) return 'rising';
  if (previous >= recent * TREND_THRESHOLDS.ratio && -delta >= TREND_THRESHOLDS.minDelta) return 'declining';
  return 'steady';
}

function pct(recent: number, previous: number): number | null {
  if (previous === 0) return null;
  return Math.round(((recent - previous) / previous) * 1000) / 10;
}

/** `declining: 12 in the last 7 days, 480 in the 7 days before (−97.5%)`. */
export function describeTrend(t: Trend): string {
  const days = Math.round(t.windowMs / 86_400_000);
  const span = days === 1 ? 'day' : `${days} days`;
  const change =
    t.changePct === null ? '' : ` (${t.changePct > 0 ? '+' : t.changePct < 0 ? '−' : '±'}${Math.abs(t.changePct)}%)`;
  const trickle = t.word === 'declining' && t.recent > 0 ? ', still trickling in' : '';
  return `${t.word}: ${t.recent} in the last ${span}, ${t.previous} in the ${span} before${change}${trickle}`;
}
