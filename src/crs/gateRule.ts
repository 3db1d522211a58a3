import { runEffects } from './evaluateRule.js';
import { atoi, compareNumbers } from './operators/comparison.js';
import type { NumberOperatorName } from './operators/index.js';
import type { Rule, RuleLink } from './rule.js';
import type { Transaction } from './transaction.js';

/**
 * A rule that compares one TX variable with a constant: CRS's paranoia gates
 * (`SecRule TX:DETECTION_PARANOIA_LEVEL "@lt 2" "…,pass,nolog,skipAfter:…"`, four per rule file
 * and phase) and its score sums (`TX:BLOCKING_PARANOIA_LEVEL "@ge 1" "…,setvar:…"`). They are a
 * good part of the rules a request meets, and need no values list, transformation or match
 * record: evaluated directly, with the same effects as the general path (MATCHED_VAR, setvar).
 */
export interface Gate {
  readonly link: RuleLink;
  readonly key: string;
  readonly op: NumberOperatorName;
  readonly arg: number;
  readonly negated: boolean;
}

/** The rule as a gate, or null when it is anything more (a chain, a logged match, a transformation …). */
export function gateOf(rule: Rule): Gate | null {
  if (rule.links.length !== 1 || rule.log) return null;
  const link = rule.links[0] as RuleLink;
  const ref = link.targets.include[0];
  const body = link.operator.body;
  if (
    link.targets.include.length !== 1 ||
    link.targets.exclude.length !== 0 ||
    ref === undefined ||
    ref.name !== 'TX' ||
    ref.count ||
    ref.selector.kind !== 'key' ||
    link.transformations.parent !== null ||
    link.multiMatch ||
    link.capture ||
    body.kind !== 'number' ||
    body.arg.constant === undefined
  )
    return null;
  return { link, key: ref.selector.key, op: body.op, arg: atoi(body.arg.constant), negated: link.operator.negated };
}

/** Whether the gate's rule matched, its effects run as evaluateRule would run them. */
export function passesGate(tx: Transaction, rule: Rule, gate: Gate): boolean {
  const v = tx.tx.get(gate.key);
  if (v === undefined) return false;
  if (compareNumbers(gate.op, atoi(v.value), gate.arg) === gate.negated) return false;
  tx.rule = rule;
  tx.capturing = false;
  const hit = { name: v.name, value: v.value };
  tx.matchedVar = hit;
  tx.matchedVars = [hit];
  runEffects(tx, gate.link);
  return true;
}
