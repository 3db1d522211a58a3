import { RequestValue } from './inspectedValue.js';
import type { Rule, RuleLink } from './rule.js';
import type { VariableName, VariableRef } from './targets.js';
import type { Transaction } from './transaction.js';
import { collectValues } from './variables.js';

/**
 * A rule-level prefilter. Most CRS rules start with a plain `@rx` over request variables;
 * per request and variable the engine keeps a summary — the trigger bits of all its values and
 * the regexes their raw text admits. A rule whose pipeline none of those values triggers (so
 * every value reaches the regex unchanged) and whose regex none of them admits cannot match:
 * it is skipped without collecting a value. Whole collections are summarised, a superset of
 * what a rule with key selectors or exclusions inspects, so a skip is always safe.
 */
export interface Screen {
  readonly slot: number;
  readonly triggers: number;
  readonly variables: readonly VariableRef[];
}

export interface VariableSummary {
  readonly triggers: number;
  readonly admitted: Uint8Array;
}

/** Variables whose values a rule, a ctl action or the body processor may change within a phase. */
const LIVE = new Set<VariableName>([
  'TX',
  'MATCHED_VAR',
  'MATCHED_VAR_NAME',
  'MATCHED_VARS',
  'MATCHED_VARS_NAMES',
  'REQBODY_PROCESSOR',
  'REQUEST_BODY',
]);

/** The screen of a rule's first link, or null when the link is not a plain @rx over request data. */
export function screenOf(link: RuleLink): Screen | null {
  const op = link.operator;
  if (op.body.kind !== 'rx' || op.negated || link.multiMatch || op.body.prefilter.index < 0) return null;
  if (link.targets.include.length === 0) return null;
  const variables = new Map<VariableName, VariableRef>();
  for (const ref of link.targets.include) {
    if (ref.count || LIVE.has(ref.name)) return null;
    variables.set(ref.name, { name: ref.name, collection: ref.collection, selector: { kind: 'all' }, count: false });
  }
  return { slot: op.body.prefilter.index, triggers: link.transformations.triggers, variables: [...variables.values()] };
}

/** Whether the rule may match: false only when no value of its variables can reach its regex. */
export function screenAdmits(tx: Transaction, rule: Rule): boolean {
  const screen = rule.screen;
  if (screen === null) return true;
  for (const ref of screen.variables) {
    const summary = summaryOf(tx, ref);
    if ((summary.triggers & screen.triggers) !== 0 || summary.admitted[screen.slot] === 1) return true;
  }
  return false;
}

function summaryOf(tx: Transaction, ref: VariableRef): VariableSummary {
  const cached = tx.summaries.get(ref.name);
  if (cached !== undefined) return cached;
  const admitted = new Uint8Array(tx.ruleSet.prefilters.size);
  let triggers = 0;
  for (const v of collectValues(tx, ref, [])) {
    // Values of request variables are all RequestValues; anything else counts as triggering.
    triggers |= v instanceof RequestValue ? v.triggers : -1;
    for (const slot of tx.admitted(v.value).list) admitted[slot] = 1;
  }
  const summary = { triggers, admitted };
  tx.summaries.set(ref.name, summary);
  return summary;
}
