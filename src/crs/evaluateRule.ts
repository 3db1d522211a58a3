import { RequestValue } from './inspectedValue.js';
import { expandMacro } from './macros.js';
import { evaluateOperator } from './operators/evaluate.js';
import { admitsSlot } from './operators/rxPrefilter.js';
import type { Rule, RuleLink } from './rule.js';
import { exclusionsFor } from './targetRemoval.js';
import type { NamedValue, Transaction } from './transaction.js';
import { VERDICT } from './valueFacts.js';
import { collectValues } from './variables.js';

/** A rule that matched and logs: what bansho reports (ModSecurity's error-log line, as data). */
export interface CrsMatch {
  readonly ruleId: number;
  readonly phase: number;
  readonly msg: string;
  readonly logdata: string;
  readonly tags: readonly string[];
  /**
   * The attack class CRS tags the rule with (`attack-sqli` → `sqli`; also xss, lfi, rfi, rce,
   * injection-php, protocol, disclosure …), null for rules without one (scoring, blocking).
   */
  readonly attack: string | null;
  readonly severity: string | undefined;
  /** `ARGS:q`, `REQUEST_HEADERS:User-Agent` … */
  readonly matchedVar: string;
  /** The matched value, after the rule's transformations. */
  readonly matchedData: string;
}

/** What evaluateRule returns for a matching rule without `log`: the caller reports only logged rules. */
const QUIET_MATCH: CrsMatch = Object.freeze({
  ruleId: 0,
  phase: 0,
  msg: '',
  logdata: '',
  tags: [],
  attack: null,
  severity: undefined,
  matchedVar: '',
  matchedData: '',
});

const SEVERITY_NAMES = ['EMERGENCY', 'ALERT', 'CRITICAL', 'ERROR', 'WARNING', 'NOTICE', 'INFO', 'DEBUG'];

/**
 * Runs one rule (its whole chain) against the transaction. A link matches when its operator
 * matches at least one of its values; each matching value sets MATCHED_VAR and runs the link's
 * setvar/ctl actions, as ModSecurity v2 does. The rule matches when every link does.
 */
export function evaluateRule(tx: Transaction, rule: Rule): CrsMatch | null {
  tx.rule = rule;
  tx.matchedVars = [];
  for (const link of rule.links) if (!evaluateLink(tx, rule, link)) return null;
  // A rule that does not log is never reported: its message need not be expanded.
  if (!rule.log) return QUIET_MATCH;
  const matched = tx.matchedVar ?? { name: '', value: '' };
  return {
    ruleId: rule.id,
    phase: rule.phase,
    msg: rule.msg === undefined ? '' : expandMacro(rule.msg, tx),
    logdata: rule.logdata === undefined ? '' : expandMacro(rule.logdata, tx),
    tags: rule.tags,
    attack: rule.tags.find((t) => t.startsWith('attack-'))?.slice('attack-'.length) ?? null,
    severity: rule.severity === undefined ? undefined : SEVERITY_NAMES[rule.severity],
    matchedVar: matched.name,
    matchedData: matched.value,
  };
}

function evaluateLink(tx: Transaction, rule: Rule, link: RuleLink): boolean {
  tx.capturing = link.capture;
  if (link.targets.include.length === 0) {
    if (!evaluateOperator(link.operator, '', tx)) return false;
    runEffects(tx, link);
    return true;
  }
  const values = valuesOf(tx, rule, link);
  let any = false;
  for (let i = 0; i < values.length; i++) if (matchValue(tx, link, values[i] as NamedValue)) any = true;
  return any;
}

/** The link's values, shared per phase with every rule that inspects the same static targets. */
function valuesOf(tx: Transaction, rule: Rule, link: RuleLink): NamedValue[] {
  // Without runtime removals the link's own exclusions and key stand: nothing to build.
  let exclusions = link.targets.exclude;
  let key = link.targets.key;
  if (tx.removedTargets.length > 0) ({ exclusions, key } = exclusionsFor(rule, link, tx.removedTargets));
  if (key !== null) {
    const cached = tx.targetValues.get(key);
    if (cached !== undefined) return cached;
  }
  // Collected in full before any match: MATCHED_VARS, a target of some chains, grows as they match.
  const values: NamedValue[] = [];
  for (const ref of link.targets.include) for (const v of collectValues(tx, ref, exclusions)) values.push(v);
  if (key !== null) tx.targetValues.set(key, values);
  return values;
}

/** Runs the link's operator on one value (after its transformations); true when it matched. */
function matchValue(tx: Transaction, link: RuleLink, v: NamedValue): boolean {
  const chain = link.transformations;
  if (v instanceof RequestValue) {
    const op = link.operator;
    // A plain @rx: the prefilter's verdict, kept on the value per pipeline, decides first.
    if (op.body.kind === 'rx' && !op.negated && !link.multiMatch) {
      const form = v.transformed(chain, tx.transforms);
      if (form.length < op.body.prefilter.minLength) return false;
      const slot = op.body.prefilter.index;
      if (slot >= 0 && !admitsSlot(v.admitted(chain, tx.transforms, tx.ruleSet.prefilters), slot)) return false;
      return matchCandidate(tx, link, v, form, true, link.slot);
    }
    // Every step of a pipeline the value does not trigger yields the value itself (step 0's form).
    if (!link.multiMatch || (v.triggers & chain.triggers) === 0)
      return matchCandidate(tx, link, v, v.transformed(chain, tx.transforms), false, link.slot);
  } else if (!link.multiMatch) return matchCandidate(tx, link, v, tx.transforms.apply(chain, v.value), false, -1);
  const cached = v instanceof RequestValue && link.slot >= 0;
  if (cached && knownMisses(tx, link, v)) return false;
  const steps = tx.transforms.steps(chain, v.value);
  for (let i = 0; i < steps.length; i++) {
    if (i > 0 && steps[i] === steps[i - 1]) continue;
    if (matchCandidate(tx, link, v, steps[i] as string, false, cached ? link.slot + i : -1)) return true;
  }
  return false;
}

/**
 * Whether the value's facts say every step of the link's multiMatch pipeline missed: step 0 (the
 * raw value, always tested) missed and none matched; a step never tested was one its
 * predecessor's form equalled. Then the steps need not even be computed.
 */
function knownMisses(tx: Transaction, link: RuleLink, v: RequestValue): boolean {
  const verdicts = tx.verdictsOf(v.facts);
  if (verdicts === null || verdicts[link.slot] !== VERDICT.miss) return false;
  const end = link.slot + link.transformations.names.length + 1;
  for (let s = link.slot + 1; s < end; s++) if (verdicts[s] === VERDICT.hit) return false;
  return true;
}

/** `slot`: where `v`'s facts keep this operator's verdict on `candidate` (see valueFacts.ts), or -1. */
function matchCandidate(
  tx: Transaction,
  link: RuleLink,
  v: NamedValue,
  candidate: string,
  prefiltered: boolean,
  slot: number,
): boolean {
  const matched =
    slot >= 0 && v instanceof RequestValue
      ? verdict(tx, link, v, candidate, prefiltered, slot)
      : evaluateOperator(link.operator, candidate, tx, prefiltered);
  if (!matched) return false;
  const hit = { name: v.name, value: candidate };
  tx.matchedVar = hit;
  tx.matchedVars.push(hit);
  runEffects(tx, link);
  return true;
}

/**
 * The operator's verdict on the candidate, looked up in the value's facts or run and kept there.
 * Operators change nothing but TX.0 … TX.9 (capture): a capturing match keeps what it captured,
 * and a known one stores it again.
 */
function verdict(
  tx: Transaction,
  link: RuleLink,
  v: RequestValue,
  candidate: string,
  prefiltered: boolean,
  slot: number,
): boolean {
  const facts = v.facts;
  const verdicts = tx.verdictsOf(facts);
  if (verdicts === null) return evaluateOperator(link.operator, candidate, tx, prefiltered);
  const known = verdicts[slot];
  if (known === VERDICT.miss) return false;
  if (known === VERDICT.hit) {
    if (!link.capture) return true;
    const captured = facts.captures?.[slot];
    if (captured !== undefined) {
      if (captured !== null) tx.setCaptures(captured);
      return true;
    }
  }
  tx.captured = null;
  const matched = evaluateOperator(link.operator, candidate, tx, prefiltered);
  verdicts[slot] = matched ? VERDICT.hit : VERDICT.miss;
  if (matched && link.capture) {
    facts.captures ??= [];
    facts.captures[slot] = tx.captured;
  }
  return matched;
}

export function runEffects(tx: Transaction, link: RuleLink): void {
  for (const effect of link.effects) {
    if (effect.kind === 'setvar') tx.setVar(effect.op);
    else if (effect.kind === 'ctl') tx.control(effect.ctl);
  }
}
