import type { BanRequest } from '../defense/banPolicy.js';
import type { BehaviourAlert } from '../detect/behaviour/httpBehaviour.js';
import type { Match } from '../detect/types.js';
import { decide } from '../detect/verdict.js';
import { banFields } from '../events/banFields.js';
import { detectionHeader, eventFromObservation, hashId, worstMatch } from '../events/fromObservation.js';
import type { SecurityEvent } from '../events/securityEvent.js';
import type { HttpObservation } from '../observe/observation.js';
import type { Ban } from '../store/types.js';
import type { LoggedSignal } from './behaviourEvent.js';

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
  const top = worstMatch(matches) as Match;
  const ban = banSource(observation.source.ip, observation.time, top.ruleName, top.threatId, options);
  if (ban === null) return null;
  return eventFromObservation(observation, matches, {
    action: 'banned',
    sensor: 'logs',
    ...(threatName ? { threatName } : {}),
    dedupKey: `ban\n${ban.target}\n${ban.since}`,
    ban: banFields(ban),
  });
}

/**
 * The same for a behaviour finding (a path scan, a password guesser): what fail2ban does with
 * `maxretry` failures within `findtime`, through the gateway's ban list.
 */
export function banFromFinding(
  alert: BehaviourAlert<LoggedSignal>,
  options: FollowBanOptions,
  threatName?: (id: string) => string | undefined,
): SecurityEvent | null {
  const ban = banSource(alert.source, alert.time, alert.ruleName, alert.threatId, options);
  if (ban === null) return null;
  const name = threatName?.(alert.threatId) ?? alert.threatId;
  return {
    '@timestamp': new Date(ban.since).toISOString(),
    message: `banned ${ban.target} until ${new Date(ban.until).toISOString()}: ${name} (${alert.evidence})`,
    event: detectionHeader({
      id: hashId(`logs|ban|${ban.target}|${ban.since}`),
      kind: 'alert',
      action: 'banned',
      sensor: 'logs',
    }),
    source: { ip: alert.source },
    rule: { id: alert.ruleId, name: alert.ruleName, ruleset: 'bansho', category: 'behaviour' },
    threat: { software: { id: alert.threatId, name } },
    bansho: { sensor: 'logs', evidence: alert.evidence, ban: banFields(ban) },
  };
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
