/** The behaviours' shared vocabulary: what they read, what they name, how they are tuned. */
import type { Severity } from '../severity.js';

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
  /** How bad a finding is, and what it adds to the source's score. */
  readonly severity: Severity;
  readonly score: number;
}

export type BehaviourThreat = (typeof BEHAVIOUR_THREATS)[number];

/** Each behaviour's limit, or null where the site switched it off. */
export type BehaviourSettings = Readonly<Record<BehaviourName, BehaviourLimit | null>>;

const FIVE_MINUTES = 5 * 60_000;
const BUCKET = { leakMs: 10_000, cooldownMs: FIVE_MINUTES, severity: 'medium', score: 10 } as const;

/**
 * The built-in limits. Path probing is CrowdSec's http-probing (more than 10 distinct paths,
 * draining one per 10 s) and the WordPress login CrowdSec's http-bf-wordpress_bf (more than 5,
 * one per 10 s); a site's own plugins exist, so 3 distinct missing ones are somebody's word list.
 */
export const DEFAULT_BEHAVIOURS: BehaviourSettings = {
  'path-probing': { ...BUCKET, capacity: 10 },
  'wordpress-extension-probing': { ...BUCKET, capacity: 3 },
  'wordpress-user-enumeration': { ...BUCKET, capacity: 5 },
  'auth-failures': { ...BUCKET, capacity: 5 },
  'login-form': { ...BUCKET, capacity: 5 },
  'wordpress-login': { ...BUCKET, capacity: 5 },
  'wordpress-xmlrpc': { ...BUCKET, capacity: 5 },
};
