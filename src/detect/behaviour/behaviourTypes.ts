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

/**
 * Each behaviour's limit, or null where the site switched it off: the config's (built in:
 * src/catalog/defaults.yaml; a site's `behaviours` section over them, src/config/).
 */
export type BehaviourSettings = Readonly<Record<BehaviourName, BehaviourLimit | null>>;
