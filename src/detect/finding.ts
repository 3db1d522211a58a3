/**
 * The Finding: what every detector family reports, so that one decision and one event builder
 * (src/events/toEvent.ts) serve them all. A family differs in where it found what it found:
 * a rule in one field of one observation, a behaviour in a source's run of answered requests,
 * a network detector between two endpoints.
 */
import type { Endpoint } from '../observe/observation.js';
import type { RequestSignal } from './behaviour/behaviourTypes.js';
import type { RuleAction, Severity } from './severity.js';

export type { RuleAction, Severity } from './severity.js';

/** A finding's value (what a rule matched, a behaviour's sample) is kept to this many characters. */
export const EVIDENCE_VALUE_CHARS = 256;

/** What every family says: which rule, which threat of the catalog, how bad, what to do. */
interface FindingHead {
  readonly ruleId: string;
  readonly ruleName: string;
  readonly threatId: string;
  readonly severity: Severity;
  readonly score: number;
  readonly action: RuleAction;
  readonly tags: readonly string[];
}

/** A rule (the engine's, or a refusal of the gateway's) matched one Observation. */
export interface Match extends FindingHead {
  readonly family: 'rule';
  /** The Observation field that matched (`request.line`, `args.values`, `header:user-agent`, …). */
  readonly field: string;
  /** The value after transformations, bounded (EVIDENCE_VALUE_CHARS), as it was when it matched. */
  readonly value: string;
  /**
   * The HTTP status a `block` asks the gateway to refuse with (CRS: 403 by default); absent,
   * the gateway's own 400.
   */
  readonly status?: number;
}

/** A behaviour's bucket overflowed: one source's run of answered requests (../detect/behaviour/). */
export interface BehaviourFinding<S extends RequestSignal = RequestSignal> extends FindingHead {
  readonly family: 'behaviour';
  /** The address of the request that made the bucket overflow. */
  readonly source: string;
  /** What the requests were counted under: the source's ban target (an IPv6 source's /64). */
  readonly target: string;
  /** The time of the request that made the bucket overflow. */
  readonly time: number;
  /** How many requests filled the bucket. */
  readonly count: number;
  /** The request that made it overflow. */
  readonly last: S;
  /** The latest few requests (the last one included), oldest first, each bounded. */
  readonly samples: readonly string[];
  /** One line: what was counted, over how long. */
  readonly evidence: string;
}

/** A network detector (scan, flood, login guessing) counted packets or replies between two endpoints. */
export interface NetworkFinding extends FindingHead {
  readonly family: 'network';
  readonly time: number;
  readonly source: Endpoint;
  readonly destination: Endpoint;
  readonly transport: 'tcp' | 'udp';
  /** One line: what was counted. */
  readonly evidence: string;
}

export type Finding = Match | BehaviourFinding | NetworkFinding;

/** Where a finding was made and what it saw there, as an event lists it (`bansho.matches`). */
export function findingPlace(f: Finding): { readonly field: string; readonly value: string } {
  switch (f.family) {
    case 'rule':
      return { field: f.field, value: f.value };
    case 'behaviour':
      return { field: 'behaviour', value: f.evidence };
    case 'network':
      return { field: 'network', value: f.evidence };
  }
}

const SEVERITY_RANK: Readonly<Record<Severity, number>> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

/** The worst of some findings, by score, then severity; the first of equals. */
export function worstFinding<F extends Finding>(findings: readonly F[]): F | undefined {
  let best: F | undefined;
  for (const f of findings) {
    if (
      !best ||
      f.score > best.score ||
      (f.score === best.score && SEVERITY_RANK[f.severity] > SEVERITY_RANK[best.severity])
    )
      best = f;
  }
  return best;
}
