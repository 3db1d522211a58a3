import type { Observation } from '../observe/observation.js';
import type { Match } from './finding.js';
import type { PlainLine } from './plainLine.js';
import type { RequestMatches } from './requestMatches.js';

export type { Finding, Match } from './finding.js';
export type { RuleAction, Severity } from './severity.js';

/** The compiled rule set. Pure and synchronous: Observation in, matches out; no I/O, no clock. */
export interface Engine {
  readonly ruleCount: number;
  match(observation: Observation): Match[];
  /** False when `match` would certainly find nothing, at a fraction of its cost; engines without such a test omit it. */
  mayMatch?(observation: Observation): boolean;
  /** `mayMatch` for an access-log line's request before it is parsed (./plainLine.ts). */
  mayMatchLine?(line: PlainLine): boolean;
  /**
   * `match`, with what the rules that read only the request found in it (../requestMatches.ts),
   * to keep for the next Observation of the same request; engines without `matchKnown` omit it.
   */
  matchRequest?(observation: Observation): { readonly matches: Match[]; readonly known: RequestMatches };
  /** `match` for an Observation whose request `matchRequest` saw before (`known`): only the other rules run. */
  matchKnown?(observation: Observation, known: RequestMatches): Match[];
}
