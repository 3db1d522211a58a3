/**
 * What one request cannot show but a source's run of requests does: a scanner walking through
 * paths that do not exist, a password guesser posting to a login form, a client failing HTTP
 * authentication over and over. Each behaviour is a leaky bucket per source over the requests
 * that concern it (CrowdSec's http-probing, http-bf-wordpress_bf and http-generic-bf; fail2ban's
 * maxretry/findtime), and an overflow is one finding naming a catalog threat.
 *
 * Pure and synchronous: requests in, in time order, with their answer's status; alerts out.
 */
import { sourceNetwork } from '../../observe/sourceNetwork.js';
import type { Match } from '../types.js';
import { type BehaviourKind, KINDS } from './behaviourKinds.js';
import { boundedCopy } from './boundedCopy.js';
import { type BucketBounds, LeakyBuckets } from './leakyBucket.js';

export { isBehaviourCandidate, requestSignal } from './behaviourKinds.js';

/** Catalog threats the behaviours name (src/catalog/threats/). */
export const BEHAVIOUR_THREATS = [
  'web-path-probing',
  'wordpress-user-enumeration',
  'http-auth-brute-force',
  'wordpress-login-bruteforce',
  'wordpress-xmlrpc-abuse',
] as const;

/** The facts of one answered request a behaviour needs. */
export interface RequestSignal {
  readonly time: number;
  readonly source: string;
  readonly method: string;
  /** The path, without the query. */
  readonly path: string;
  /** The query, without `?` ('' when none). */
  readonly query: string;
  readonly status: number;
}

export interface BehaviourAlert<S extends RequestSignal = RequestSignal> {
  readonly ruleId: string;
  readonly ruleName: string;
  readonly threatId: (typeof BEHAVIOUR_THREATS)[number];
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
  /** The latest few requests (the last one included) as evidence, oldest first, each cut to 256 characters. */
  readonly samples: readonly string[];
  /** One line: what was counted, over how long. */
  readonly evidence: string;
}

export interface HttpBehaviourOptions<S extends RequestSignal> extends BucketBounds {
  /** A request as evidence (a log line); by default its method, path, query and status. */
  readonly sample?: (s: S) => string;
}

/** Evidence kept per source and behaviour: the latest requests, each cut short. */
export const EVIDENCE_SAMPLES = 5;
const SAMPLE_CHARS = 256;
/** A distinct value (a path) is compared by its first characters: a counter holds no long strings. */
const VALUE_CHARS = 128;

/**
 * The behaviours by name, as a config file names them (`behaviours: {path-probing: …}`); each
 * one's rule id is `behaviour-<name>`.
 */
export const BEHAVIOUR_NAMES = [
  'path-probing',
  'wordpress-extension-probing',
  'wordpress-user-enumeration',
  'auth-failures',
  'login-form',
  'wordpress-login',
  'wordpress-xmlrpc',
] as const;

export type BehaviourName = (typeof BEHAVIOUR_NAMES)[number];

/**
 * When a behaviour's bucket overflows (CrowdSec's capacity and leakspeed): more than `capacity`
 * requests, the level draining by one every `leakMs`; the source then rests `cooldownMs`
 * (CrowdSec's blackhole), so one burst is one finding.
 */
export interface BehaviourLimit {
  readonly capacity: number;
  readonly leakMs: number;
  readonly cooldownMs: number;
}

/** Each behaviour's limit, or null where the site switched it off. */
export type BehaviourSettings = Readonly<Record<BehaviourName, BehaviourLimit | null>>;

const FIVE_MINUTES = 5 * 60_000;

/**
 * The built-in limits. Path probing is CrowdSec's http-probing (more than 10 distinct paths,
 * draining one per 10 s) and the WordPress login CrowdSec's http-bf-wordpress_bf (more than 5,
 * one per 10 s); a site's own plugins exist, so 3 distinct missing ones are somebody's word list.
 */
export const DEFAULT_BEHAVIOURS: BehaviourSettings = {
  'path-probing': { capacity: 10, leakMs: 10_000, cooldownMs: FIVE_MINUTES },
  'wordpress-extension-probing': { capacity: 3, leakMs: 10_000, cooldownMs: FIVE_MINUTES },
  'wordpress-user-enumeration': { capacity: 5, leakMs: 10_000, cooldownMs: FIVE_MINUTES },
  'auth-failures': { capacity: 5, leakMs: 10_000, cooldownMs: FIVE_MINUTES },
  'login-form': { capacity: 5, leakMs: 10_000, cooldownMs: FIVE_MINUTES },
  'wordpress-login': { capacity: 5, leakMs: 10_000, cooldownMs: FIVE_MINUTES },
  'wordpress-xmlrpc': { capacity: 5, leakMs: 10_000, cooldownMs: FIVE_MINUTES },
};

interface Behaviour extends BehaviourKind {
  readonly ruleId: string;
  /** Items are evidence samples. */
  readonly buckets: LeakyBuckets<string>;
}

/**
 * Per-source behaviour over answered requests, counted per ban target: an attacker rotating
 * through the addresses of one IPv6 /64 fills one bucket, not one each. `S` may carry more
 * than the signal (a log line); the alert hands back the last request and a few evidence
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
  constructor(settings: BehaviourSettings = DEFAULT_BEHAVIOURS, options: HttpBehaviourOptions<S> = {}) {
    this.#sample = options.sample ?? describeRequest;
    const bounds = { maxKeys: options.maxKeys ?? 50_000, maxItems: options.maxItems ?? 20_000 };
    this.#behaviours = BEHAVIOUR_NAMES.flatMap((name) => {
      const limit = settings[name];
      if (limit === null) return [];
      const kind = KINDS[name];
      const spec = { ...limit, distinct: kind.distinct, keep: EVIDENCE_SAMPLES };
      return [{ ...kind, ruleId: `behaviour-${name}`, buckets: new LeakyBuckets<string>(spec, bounds) }];
    });
  }

  /** One answered request; the alerts it completes (at most one per behaviour). */
  request(s: S): readonly BehaviourAlert<S>[] {
    let alerts: BehaviourAlert<S>[] | null = null;
    let target: string | null = null;
    let sample: string | null = null;
    for (const b of this.#behaviours) {
      if (!b.concerns(s)) continue;
      target ??= sourceNetwork(s.source) ?? s.source;
      sample ??= boundedCopy(this.#sample(s), SAMPLE_CHARS);
      const value = b.distinct ? boundedCopy(b.value(s), VALUE_CHARS) : '';
      const overflow = b.buckets.pour(target, s.time, sample, value);
      if (overflow === null) continue;
      alerts ??= [];
      alerts.push({
        ruleId: b.ruleId,
        ruleName: b.ruleName,
        threatId: b.threatId,
        source: s.source,
        target,
        time: s.time,
        count: overflow.count,
        last: s,
        samples: overflow.items,
        evidence: `${overflow.count} ${b.counted} within ${seconds(s.time - overflow.first)}`,
      });
    }
    return alerts ?? [];
  }
}

function describeRequest(s: RequestSignal): string {
  return `${s.method} ${s.path}${s.query === '' ? '' : `?${s.query}`} ${s.status}`;
}

function seconds(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  return s < 120 ? `${Number.isInteger(s) ? s : s.toFixed(1)} s` : `${Math.round(s / 60)} min`;
}

/**
 * A finding as a rule match, for a sensor that records and decides on matches (the gateway):
 * a source that keeps probing or guessing is banned, as fail2ban and CrowdSec would.
 */
export function findingMatch(alert: BehaviourAlert): Match {
  return {
    ruleId: alert.ruleId,
    ruleName: alert.ruleName,
    threatId: alert.threatId,
    severity: 'medium',
    score: 10,
    action: 'ban',
    field: 'behaviour',
    value: alert.evidence,
    tags: ['behaviour'],
  };
}
