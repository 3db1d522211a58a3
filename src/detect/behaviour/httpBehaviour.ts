/**
 * What one request cannot show but a source's run of requests does: a scanner walking through
 * paths that do not exist, a password guesser posting to a login form, a client failing HTTP
 * authentication over and over. Each behaviour is a leaky bucket per source over the requests
 * that concern it (CrowdSec's http-probing, http-bf-wordpress_bf and http-generic-bf; fail2ban's
 * maxretry/findtime), and an overflow is one finding naming a catalog threat.
 *
 * Pure and synchronous: requests in, in time order, with their answer's status; findings out.
 */
import { sourceNetwork } from '../../observe/sourceNetwork.js';
import { type BehaviourFinding, EVIDENCE_VALUE_CHARS } from '../finding.js';
import { type BehaviourKind, KINDS } from './behaviourKinds.js';
import type { BehaviourLimit, BehaviourSettings, RequestSignal } from './behaviourTypes.js';
import { BEHAVIOUR_NAMES } from './behaviourTypes.js';
import { boundedCopy } from './boundedCopy.js';
import { type BucketBounds, LeakyBuckets } from './leakyBucket.js';

export { isBehaviourCandidate, requestSignal } from './behaviourKinds.js';
export {
  BEHAVIOUR_NAMES,
  BEHAVIOUR_THREATS,
  type BehaviourLimit,
  type BehaviourName,
  type BehaviourSettings,
  type RequestSignal,
} from './behaviourTypes.js';

export interface HttpBehaviourOptions<S extends RequestSignal> extends BucketBounds {
  /** A request as evidence (a log line); by default its method, path, query and status. */
  readonly sample?: (s: S) => string;
}

const BEHAVIOUR_TAGS = ['behaviour'] as const;

/** Evidence kept per source and behaviour: the latest requests, each cut short. */
export const EVIDENCE_SAMPLES = 5;
/** A distinct value (a path) is compared by its first characters: a counter holds no long strings. */
const VALUE_CHARS = 128;

interface Behaviour extends BehaviourKind {
  readonly ruleId: string;
  readonly limit: BehaviourLimit;
  /** Items are evidence samples. */
  readonly buckets: LeakyBuckets<string>;
}

/**
 * Per-source behaviour over answered requests, counted per ban target: an attacker rotating
 * through the addresses of one IPv6 /64 fills one bucket, not one each. `S` may carry more
 * than the signal (a log line); the finding hands back the last request and a few evidence
 * samples, never the whole run, so what is held per source stays small.
 */
export class HttpBehaviour<S extends RequestSignal = RequestSignal> {
  readonly #behaviours: readonly Behaviour[];
  readonly #sample: (s: S) => string;

  /**
   * `settings`: each behaviour's limit, or null to switch it off. `maxKeys` (sources) and
   * `maxItems` (requests counted) bound each behaviour, so a crowd of sources each sending a
   * few errors cannot fill memory.
   */
  constructor(settings: BehaviourSettings, options: HttpBehaviourOptions<S> = {}) {
    this.#sample = options.sample ?? describeRequest;
    const bounds = { maxKeys: options.maxKeys ?? 50_000, maxItems: options.maxItems ?? 20_000 };
    this.#behaviours = BEHAVIOUR_NAMES.flatMap((name) => {
      const limit = settings[name];
      if (limit === null) return [];
      const kind = KINDS[name];
      const spec = { ...limit, distinct: kind.distinct, keep: EVIDENCE_SAMPLES };
      return [{ ...kind, ruleId: `behaviour-${name}`, limit, buckets: new LeakyBuckets<string>(spec, bounds) }];
    });
  }

  /** One answered request; the findings it completes (at most one per behaviour). */
  request(s: S): readonly BehaviourFinding<S>[] {
    return this.#count(s, true);
  }

  /**
   * A request another gateway process answered (`serve --workers`): counted, never a finding
   * here. A count it completes stays full, so the next request answered here completes it:
   * two processes whose completing requests cross in flight each count the other's last, and
   * had either raised on it both would have, or (resting after a silent overflow) neither.
   */
  heard(s: S): void {
    this.#count(s, false);
  }

  #count(s: S, raise: boolean): readonly BehaviourFinding<S>[] {
    let found: BehaviourFinding<S>[] | null = null;
    let target: string | null = null;
    let sample: string | null = null;
    for (const b of this.#behaviours) {
      if (!b.concerns(s)) continue;
      target ??= sourceNetwork(s.source) ?? s.source;
      sample ??= boundedCopy(this.#sample(s), EVIDENCE_VALUE_CHARS);
      const value = b.distinct ? boundedCopy(b.value(s), VALUE_CHARS) : '';
      const overflow = b.buckets.pour(target, s.time, sample, value, raise);
      if (overflow === null) continue;
      found ??= [];
      found.push({
        family: 'behaviour',
        ruleId: b.ruleId,
        ruleName: b.ruleName,
        threatId: b.threatId,
        severity: b.limit.severity,
        score: b.limit.score,
        // A source that keeps probing or guessing is banned, as fail2ban and CrowdSec would.
        action: 'ban',
        tags: BEHAVIOUR_TAGS,
        source: s.source,
        target,
        time: s.time,
        count: overflow.count,
        last: s,
        samples: overflow.items,
        evidence: `${overflow.count} ${b.counted} within ${seconds(s.time - overflow.first)}`,
      });
    }
    return found ?? [];
  }
}

function describeRequest(s: RequestSignal): string {
  return `${s.method} ${s.path}${s.query === '' ? '' : `?${s.query}`} ${s.status}`;
}

function seconds(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  return s < 120 ? `${Number.isInteger(s) ? s : s.toFixed(1)} s` : `${Math.round(s / 60)} min`;
}
