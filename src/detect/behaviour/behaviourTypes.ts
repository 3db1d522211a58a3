/** The behaviours' shared vocabulary: what they read, what they report, how they are tuned. */

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
