import type { Observation } from '../observe/observation.js';
import type { Match } from './finding.js';
import type { PlainLine } from './plainLine.js';

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
}
