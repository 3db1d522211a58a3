import type { BanRequest } from '../defense/banPolicy.js';
import { type BehaviourFinding, worstFinding } from '../detect/finding.js';
import type { Match } from '../detect/types.js';
import { decide } from '../detect/verdict.js';
import { hashId } from '../events/eventHeader.js';
import type { SecurityEvent } from '../events/securityEvent.js';
import { toEvent } from '../events/toEvent.js';
import type { HttpObservation } from '../observe/observation.js';
import type { Ban } from '../store/types.js';
import type { LoggedSignal } from './lineCore.js';

/**
 * What the follower bans through: the gateway's BanManager, so the allowlist and trusted
 * proxies, the escalation, the already-banned check and the durable write are the gateway's own.
 */
export interface SourceBanner {
  ban(address: string, request: BanRequest): Ban | null;
}

export interface FollowBanOptions {
  readonly bans: SourceBanner;
  readonly now: () => number;
  /** Lines older than this (by their own time) are history, not a reason to ban now. */
  readonly freshMs?: number;
}

/**
 * `analyze --follow --ban`: when a freshly logged request earns a ban by the same verdict the
 * gateway uses, ban its source (escalating with its past offences) in the ban list running
 * gateways follow, and return the `banned` event to store. Sources already banned are left
 * alone, so one burst of lines is one offence.
 */
export function banFromLog(
  observation: HttpObservation,
  matches: readonly Match[],
  options: FollowBanOptions,
  threatName?: (id: string) => string | undefined,
): SecurityEvent | null {
  if (decide(matches).kind !== 'ban') return null;
  const top = worstFinding(matches) as Match;
  const ban = banSource(observation.source.ip, observation.time, top.ruleName, top.threatId, options);
  if (ban === null) return null;
  return toEvent(matches, {
    seen: 'observation',
    observation,
    action: 'banned',
    sensor: 'logs',
    threatName,
    id: hashId(`ban\n${ban.target}\n${ban.since}`),
    ban,
  });
}

/**
 * The same for a behaviour finding (a path scan, a password guesser): what fail2ban does with
 * `maxretry` failures within `findtime`, through the gateway's ban list.
 */
export function banFromFinding(
  finding: BehaviourFinding<LoggedSignal>,
  options: FollowBanOptions,
  threatName?: (id: string) => string | undefined,
): SecurityEvent | null {
  const ban = banSource(finding.source, finding.time, finding.ruleName, finding.threatId, options);
  if (ban === null) return null;
  return toEvent(finding, {
    seen: 'finding',
    action: 'banned',
    sensor: 'logs',
    threatName,
    id: hashId(`logs|ban|${ban.target}|${ban.since}`),
    ban,
  });
}

/** Ban `ip` unless the line is history; the manager refuses allowlisted and already banned sources. */
function banSource(
  ip: string,
  time: number,
  ruleName: string,
  threatId: string,
  options: FollowBanOptions,
): Ban | null {
  if (options.now() - time > (options.freshMs ?? 10 * 60_000)) return null;
  return options.bans.ban(ip, { reason: `access log: ${ruleName}`, threatId, origin: 'auto' });
}
