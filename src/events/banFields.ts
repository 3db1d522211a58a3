import type { SecurityEvent } from '../store/securityEvent.js';
import type { Ban } from '../store/types.js';

/** A ban as a `banned` event carries it (`bansho.ban`). */
export function banFields(ban: Ban): NonNullable<SecurityEvent['bansho']['ban']> {
  return {
    target: ban.target,
    until: new Date(ban.until).toISOString(),
    duration_s: Math.round((ban.until - ban.since) / 1000),
    offence: ban.offence,
    reason: ban.reason,
  };
}
