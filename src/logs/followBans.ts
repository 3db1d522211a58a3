import { banTargetFor } from '../defense/address.js';
import { type BanPolicy, banFor, DEFAULT_BAN_POLICY } from '../defense/banPolicy.js';
import type { Match } from '../detect/types.js';
import { decide } from '../detect/verdict.js';
import { eventFromObservation, worstMatch } from '../events/fromObservation.js';
import type { HttpObservation } from '../observe/observation.js';
import type { SecurityEvent } from '../store/securityEvent.js';
import type { Ban } from '../store/types.js';

/** The part of the ban store the follower needs (SqliteBanStore's synchronous side). */
export interface BanWriter {
  activeSync(now: number): Ban[];
  offencesSync(target: string): number;
  putSync(ban: Ban): void;
}

export interface FollowBanOptions {
  readonly store: BanWriter;
  readonly now: () => number;
  /** Lines older than this (by their own time) are history, not a reason to ban now. */
  readonly freshMs?: number;
  readonly policy?: BanPolicy;
}

/**
 * `analyze --follow --ban`: when a freshly logged request earns a ban by the same verdict the
 * gateway uses, write the ban (escalating with the source's past offences) to the ban list a
 * running gateway polls, and return the `banned` event to store. Sources already banned are
 * left alone, so one burst of lines is one offence.
 */
export function banFromLog(
  observation: HttpObservation,
  matches: readonly Match[],
  options: FollowBanOptions,
  threatName?: (id: string) => string | undefined,
): SecurityEvent | null {
  if (decide(matches).kind !== 'ban') return null;
  const now = options.now();
  if (now - observation.time > (options.freshMs ?? 10 * 60_000)) return null;
  let target: string;
  try {
    target = banTargetFor(observation.source.ip);
  } catch {
    return null;
  }
  const current = options.store.activeSync(now).find((b) => b.target === target);
  if (current) return null;
  const top = worstMatch(matches) as Match;
  const ban = banFor(target, options.store.offencesSync(target), now, options.policy ?? DEFAULT_BAN_POLICY, {
    reason: `access log: ${top.ruleName}`,
    threatId: top.threatId,
    origin: 'auto',
  });
  options.store.putSync(ban);
  return eventFromObservation(observation, matches, {
    action: 'banned',
    sensor: 'logs',
    ...(threatName ? { threatName } : {}),
    dedupKey: `ban\n${ban.target}\n${ban.since}`,
    ban: {
      target: ban.target,
      until: new Date(ban.until).toISOString(),
      duration_s: Math.round((ban.until - ban.since) / 1000),
      offence: ban.offence,
      reason: ban.reason,
    },
  });
}
