import type { Finding } from './finding.js';

/** What to do with one request, from its findings alone (the source's history is defense/'s part). */
export type Verdict<F extends Finding = Finding> =
  | { kind: 'allow' }
  | { kind: 'log'; matches: F[] }
  | { kind: 'block'; matches: F[] }
  | { kind: 'ban'; matches: F[] };

export interface VerdictPolicy {
  /** Summed score at or above which a request is blocked though no rule asked for it (CRS's inbound threshold). */
  readonly blockScore?: number;
  /** Summed score at or above which a single request bans its source. */
  readonly banScore?: number;
}

export const DEFAULT_POLICY = { blockScore: 5, banScore: 25 } as const;

/**
 * Anomaly scoring à la CRS: a rule asking for `ban` (PrettyPark's mail-relay CONNECT) bans at
 * once; otherwise scores add up, and the sum decides between log, block and ban.
 */
export function decide<F extends Finding>(matches: readonly F[], policy: VerdictPolicy = {}): Verdict<F> {
  if (matches.length === 0) return { kind: 'allow' };
  const blockScore = policy.blockScore ?? DEFAULT_POLICY.blockScore;
  const banScore = policy.banScore ?? DEFAULT_POLICY.banScore;
  const list = [...matches];
  let total = 0;
  let block = false;
  for (const m of matches) {
    if (m.action === 'ban') return { kind: 'ban', matches: list };
    if (m.action === 'block') block = true;
    total += m.score;
  }
  if (total >= banScore) return { kind: 'ban', matches: list };
  if (block || total >= blockScore) return { kind: 'block', matches: list };
  return { kind: 'log', matches: list };
}
