import type { BanManager } from '../defense/banManager.js';
import { type HttpBehaviour, requestSignal } from '../detect/behaviour/httpBehaviour.js';
import { EVIDENCE_VALUE_CHARS, type Finding, worstFinding } from '../detect/finding.js';
import type { Match } from '../detect/types.js';
import type { EventAction } from '../events/securityEvent.js';
import { toEvent } from '../events/toEvent.js';
import type { HttpObservation } from '../observe/observation.js';
import type { EventSink } from './eventSink.js';
import type { BanHeld } from './replies.js';
import { type SourceLimits, sourceKey } from './sourceLimits.js';

/** A breach of the gateway's limits, named for the event and the catalog. */
export type LimitBreach = 'slow-body' | 'too-many-connections' | 'too-many-requests';

const BREACH: Readonly<Record<LimitBreach, { name: string; threat: string }>> = {
  'slow-body': { name: 'request body slower than the minimum rate (slow POST)', threat: 'slow-http-dos' },
  'too-many-connections': { name: 'more connections from one source than its share', threat: 'connection-flood' },
  'too-many-requests': { name: 'more requests in flight from one source than its share', threat: 'connection-flood' },
};

/** The catalog threats the gateway's limits name (the catalog must have each). */
export const LIMIT_THREATS: readonly string[] = [...new Set(Object.values(BREACH).map((b) => b.threat))];

export interface RecorderOptions {
  readonly bans: BanManager;
  readonly events: EventSink;
  readonly behaviour: Pick<HttpBehaviour, 'request'>;
  readonly limits: SourceLimits;
  readonly behaviourBans: boolean;
  readonly threatName: (id: string) => string | undefined;
  /** A ban on this address still being told to sibling processes (./replies.ts BanHeld). */
  readonly whenHeld: (address: string) => BanHeld;
}

/**
 * What follows a decision: the ban (durable before the refusal that announces it is written —
 * the caller answers only after this returns) and the one SecurityEvent that records it.
 */
export class Recorder {
  readonly #o: RecorderOptions;

  constructor(options: RecorderOptions) {
    this.#o = options;
  }

  /** A refused request: ban when asked, then the event. Returns the action recorded. */
  refused(observation: HttpObservation, matches: readonly Finding[], ban: boolean, status: number | null): EventAction {
    const made = ban ? this.#ban(observation.source.ip, matches) : null;
    const action: EventAction = made ? 'banned' : 'blocked';
    this.record(observation, matches, action, status, made);
    return action;
  }

  /** A source overstepped a limit: an event, and past `strikesToBan` breaches, a ban. `status` null: reset unanswered. */
  breach(observation: HttpObservation, breach: LimitBreach, status: number | null): void {
    const b = BREACH[breach];
    const match: Match = {
      family: 'rule',
      ruleId: `gateway-${breach}`,
      ruleName: b.name,
      threatId: b.threat,
      severity: 'medium',
      score: 0,
      action: 'block',
      field: 'request.line',
      value: observation.request.line.slice(0, EVIDENCE_VALUE_CHARS),
      tags: ['gateway', 'limits'],
    };
    const ban = this.#o.limits.strike(sourceKey(observation.source.ip), observation.time);
    this.refused(observation, [match], ban, status);
  }

  /**
   * The upstream's answer, for the behaviours: a source whose answered requests add up to a
   * finding (11 missing paths in a few seconds, 6 failed logins) is banned; the request that
   * completed it is answered (once the ban is held by every sibling process: the BanHeld
   * returned), the next connection is dropped.
   */
  answered(observation: HttpObservation, status: number): BanHeld {
    const signal = requestSignal(observation, status);
    if (signal === null) return null;
    let held: BanHeld = null;
    for (const finding of this.#o.behaviour.request(signal)) {
      const made = this.#o.behaviourBans ? this.#ban(signal.source, [finding]) : null;
      if (made) held = this.#o.whenHeld(signal.source);
      this.record(observation, [finding], made ? 'banned' : 'detected', status, made);
    }
    return held;
  }

  record(
    observation: HttpObservation,
    findings: readonly Finding[],
    action: EventAction,
    status: number | null,
    ban: ReturnType<BanManager['ban']> = null,
  ): void {
    this.#o.events.push(
      toEvent(findings, {
        seen: 'observation',
        observation,
        action,
        sensor: 'gateway',
        threatName: this.#o.threatName,
        ...(status !== null ? { responseStatus: status } : {}),
        ban,
      }),
    );
  }

  #ban(ip: string, findings: readonly Finding[]): ReturnType<BanManager['ban']> {
    const top = worstFinding(findings);
    return this.#o.bans.ban(ip, {
      reason: top ? `${top.ruleId}: ${top.ruleName}` : 'proxy abuse',
      threatId: top?.threatId ?? null,
      origin: 'auto',
    });
  }
}
