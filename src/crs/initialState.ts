import type { Macro } from './macros.js';
import type { NamedValue } from './namedValue.js';
import type { Rule, RuleListItem } from './rule.js';

/**
 * CRS starts every request the same way: crs-setup's SecActions and the 901 initialisation rules
 * (`SecRule &TX:inbound_anomaly_score_threshold "@eq 0" "setvar:…=5"`, two dozen of them) read
 * and write TX alone, so the state they leave is the same for every request. The engine runs
 * them once per rule set and starts each transaction from a copy of what they left.
 */
export interface InitialState {
  /** Where phase 1 resumes: the first entry that is not request-independent. */
  readonly start: number;
  readonly tx: ReadonlyMap<string, NamedValue>;
  readonly matchedVar: NamedValue | undefined;
  readonly matchedVars: readonly NamedValue[];
  readonly rule: Rule | undefined;
  readonly capturing: boolean;
}

/** Macro references whose values cannot depend on the request while only TX-only rules have run. */
const INDEPENDENT = new Set(['TX', 'RULE', 'MATCHED_VAR', 'MATCHED_VAR_NAME']);

/**
 * How many entries of phase 1's list, from the start, depend on nothing but TX: rules whose
 * targets are TX (or none: SecAction), whose macros read TX or the rule, whose only effects
 * are setvars, and that flow on to the next entry. Whether they log or disrupt is judged by
 * the run itself (the engine uses the prefix only when none of them matched so).
 */
export function independentPrefix(items: readonly RuleListItem[]): number {
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as RuleListItem;
    if (item.kind === 'rule' && !independent(item.rule)) return i;
  }
  return items.length;
}

function independent(rule: Rule): boolean {
  if (rule.flow.kind !== 'none') return false;
  for (const link of rule.links) {
    for (const ref of link.targets.include) if (ref.name !== 'TX') return false;
    const body = link.operator.body;
    if ((body.kind === 'string' || body.kind === 'number') && !macroIndependent(body.arg)) return false;
    for (const effect of link.effects) {
      if (effect.kind === 'ctl') return false;
      if (effect.kind === 'setvar' && effect.op.kind !== 'persistent') {
        if (!macroIndependent(effect.op.name)) return false;
        if (effect.op.kind !== 'delete' && !macroIndependent(effect.op.value)) return false;
      }
    }
  }
  return true;
}

function macroIndependent(macro: Macro): boolean {
  for (const part of macro.parts) if (part.kind === 'ref' && !INDEPENDENT.has(part.collection)) return false;
  return true;
}
