import type { SecurityEvent } from './securityEvent.js';

/** What a `banned` event tells of a ban (the store's `Ban` has these and more). */
export interface BanTerms {
  readonly target: string;
  readonly since: number;
  readonly until: number;
  readonly offence: number;
  readonly reason: string;
}

/** A ban as a `banned` event carries it (`bansho.ban`). */
export function banFields(ban: BanTerms): NonNullable<SecurityEvent['bansho']['ban']> {
  return {
    target: ban.target,
    until: new Date(ban.until).toISOString(),
    duration_s: Math.round((ban.until - ban.since) / 1000),
    offence: ban.offence,
    reason: ban.reason,
  };
}
