import type { Observation } from '../observe/observation.js';

/** What a rule asks for when it matches: record only, answer 400 and close, or ban the source. */
export type RuleAction = 'log' | 'block' | 'ban';

export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';

/** One rule that matched one Observation, with the evidence that made it match. */
export interface Match {
  readonly ruleId: string;
  readonly ruleName: string;
  readonly threatId: string;
  readonly severity: Severity;
  readonly score: number;
  readonly action: RuleAction;
  /** The Observation field that matched (`request.line`, `args.values`, `header:user-agent`, …). */
  readonly field: string;
  /** The value after transformations, bounded, as it was when it matched. */
  readonly value: string;
  readonly tags: readonly string[];
  /**
   * The HTTP status a `block` asks the gateway to refuse with (CRS: 403 by default); absent,
   * the gateway's own 400.
   */
  readonly status?: number;
}

/** The compiled rule set. Pure and synchronous: Observation in, matches out; no I/O, no clock. */
export interface Engine {
  readonly ruleCount: number;
  match(observation: Observation): Match[];
}
