/**
 * The ban policy, as pure functions: how long a ban lasts, given how often the target was
 * banned before. The gateway uses it inline; the log analyzer's `--follow` mode reuses it, so
 * this file does no I/O and reads no clock (callers pass `now`).
 */
import type { Ban } from '../store/types.js';

export interface BanPolicy {
  /** The first ban's length. */
  readonly firstMs: number;
  /** Each later ban lasts `factor` times the one before… */
  readonly factor: number;
  /** …up to this cap. */
  readonly maxMs: number;
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** Defaults from the 2003 incident's lesson: proxy abuse bans at once for an hour, doubling to 30 days. */
export const DEFAULT_BAN_POLICY: BanPolicy = { firstMs: HOUR_MS, factor: 2, maxMs: 30 * DAY_MS };

/** The length of the `offence`-th ban (1 = first). */
export function banDurationMs(offence: number, policy: BanPolicy = DEFAULT_BAN_POLICY): number {
  const n = Math.max(1, Math.floor(offence));
  // Computed in steps so a huge offence count saturates at the cap instead of overflowing to Infinity.
  let ms = policy.firstMs;
  for (let i = 1; i < n && ms < policy.maxMs; i++) ms *= policy.factor;
  return Math.min(ms, policy.maxMs);
}

export interface BanRequest {
  readonly reason: string;
  readonly threatId: string | null;
  readonly origin: Ban['origin'];
}

/**
 * The ban for `target` (already a ban key: `a.b.c.d/32` or an IPv6 /64), given how many times
 * it was banned before. A ban never shortens one that is still in force: pass `current` for that.
 */
export function banFor(
  target: string,
  previousOffences: number,
  now: number,
  policy: BanPolicy = DEFAULT_BAN_POLICY,
  request: BanRequest = { reason: 'proxy abuse', threatId: null, origin: 'auto' },
  current?: Pick<Ban, 'until'>,
): Ban {
  const offence = Math.max(0, previousOffences) + 1;
  const until = Math.max(now + banDurationMs(offence, policy), current?.until ?? 0);
  return {
    target,
    since: now,
    until,
    reason: request.reason,
    threatId: request.threatId,
    offence,
    origin: request.origin,
  };
}

/** A manual ban (`bansho bans add IP --for 1d`): an explicit length, still counted as an offence. */
export function manualBan(
  target: string,
  previousOffences: number,
  now: number,
  durationMs: number,
  reason = 'manual',
): Ban {
  return {
    target,
    since: now,
    until: now + durationMs,
    reason,
    threatId: null,
    offence: Math.max(0, previousOffences) + 1,
    origin: 'manual',
  };
}
