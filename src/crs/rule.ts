import type { SourceLocation } from './errors.js';
import type { Macro } from './macros.js';
import type { Operator } from './operators/index.js';
import type { Targets, VariableRef } from './targets.js';
import type { TransformChain } from './transformChain.js';

/** The compiled form of SecRule and SecAction (Coraza's Rule, in discriminated unions). */
export type Phase = 1 | 2 | 3 | 4 | 5;

export type Disruptive = 'pass' | 'block' | 'deny' | 'drop' | 'allow';

export type EngineMode = 'On' | 'Off' | 'DetectionOnly';

export type BodyProcessorName = 'URLENCODED' | 'MULTIPART' | 'XML' | 'JSON';

export interface IdRange {
  readonly from: number;
  readonly to: number;
}

/** `setvar:tx.a=1`, `setvar:tx.a=+%{tx.b}`, `setvar:!tx.a`. Names are TX keys (lowercase). */
export type SetVar =
  | { readonly kind: 'set'; readonly name: Macro; readonly value: Macro }
  | { readonly kind: 'add'; readonly name: Macro; readonly value: Macro; readonly sign: 1 | -1 }
  | { readonly kind: 'delete'; readonly name: Macro }
  /** On IP, GLOBAL, SESSION …: persistent collections a per-request engine does not keep. */
  | { readonly kind: 'persistent'; readonly collection: string };

/** The `ctl:` actions CRS and its exclusion packages use. */
export type Ctl =
  | { readonly kind: 'ruleRemoveById'; readonly ranges: readonly IdRange[] }
  | { readonly kind: 'ruleRemoveByTag'; readonly tag: string }
  | { readonly kind: 'ruleRemoveTargetById'; readonly ranges: readonly IdRange[]; readonly target: VariableRef }
  | { readonly kind: 'ruleRemoveTargetByTag'; readonly tag: string; readonly target: VariableRef }
  | { readonly kind: 'ruleEngine'; readonly mode: EngineMode }
  | { readonly kind: 'requestBodyProcessor'; readonly processor: BodyProcessorName }
  | { readonly kind: 'forceRequestBodyVariable'; readonly on: boolean }
  | { readonly kind: 'requestBodyAccess'; readonly on: boolean }
  /** Audit-log and debug-log settings: bansho has neither log, so they change nothing. */
  | { readonly kind: 'noEffect'; readonly name: string };

/** Actions that run each time a rule (or chain link) matches a value, in the order written. */
export type EffectAction =
  | { readonly kind: 'setvar'; readonly op: SetVar }
  | { readonly kind: 'ctl'; readonly ctl: Ctl }
  /** initcol/expirevar/setenv …: persistent collections and the environment are outside a pure engine. */
  | { readonly kind: 'noEffect'; readonly name: string };

/** One SecRule of a chain: what it inspects, how, and what it does on each match. */
export interface RuleLink {
  readonly targets: Targets;
  readonly operator: Operator;
  readonly transformations: TransformChain;
  readonly multiMatch: boolean;
  readonly capture: boolean;
  readonly effects: readonly EffectAction[];
  readonly where: SourceLocation;
  /**
   * Where a value's facts keep this link's operator verdicts (./valueFacts.ts): its first slot,
   * one per step of a multiMatch pipeline; -1 when the verdict is not a function of the value
   * alone (macro arguments; a negated capturing operator) or costs less than a lookup.
   */
  readonly slot: number;
}

export type Flow =
  | { readonly kind: 'none' }
  | { readonly kind: 'skipAfter'; readonly marker: string }
  | { readonly kind: 'skip'; readonly count: number };

export interface Rule {
  /** 0 for a chain link or an id-less SecAction (CRS gives every rule an id). */
  readonly id: number;
  readonly phase: Phase;
  /** The chain, starter first: the rule matches when every link matches. */
  readonly links: readonly RuleLink[];
  readonly msg: Macro | undefined;
  readonly logdata: Macro | undefined;
  readonly tags: readonly string[];
  /** 0 (EMERGENCY) … 7 (DEBUG), undefined when not given. */
  readonly severity: number | undefined;
  readonly ver: string | undefined;
  readonly disruptive: Disruptive;
  readonly status: number | undefined;
  readonly log: boolean;
  readonly flow: Flow;
  readonly where: SourceLocation;
}

/** A rule list entry: rules, and the markers skipAfter jumps to. */
export type RuleListItem =
  | { readonly kind: 'rule'; readonly rule: Rule }
  | { readonly kind: 'marker'; readonly name: string };

export const SEVERITIES: Readonly<Record<string, number>> = {
  EMERGENCY: 0,
  ALERT: 1,
  CRITICAL: 2,
  ERROR: 3,
  WARNING: 4,
  NOTICE: 5,
  INFO: 6,
  DEBUG: 7,
};

export function inRanges(id: number, ranges: readonly IdRange[]): boolean {
  for (const r of ranges) if (id >= r.from && id <= r.to) return true;
  return false;
}
