import { type Ctl, inRanges, type Rule, type RuleLink } from './rule.js';
import { refText, type VariableRef } from './targets.js';

/** A runtime exclusion (ctl:ruleRemoveTarget…): which rules, and which member of which collection. */
export interface TargetRemoval {
  readonly applies: (rule: Rule) => boolean;
  readonly target: VariableRef;
  /** The removed target as written, for the key of the shared values list (see evaluateRule.ts). */
  readonly key: string;
}

type RemovalCtl = Extract<Ctl, { kind: 'ruleRemoveTargetById' | 'ruleRemoveTargetByTag' }>;

const removals = new WeakMap<RemovalCtl, TargetRemoval>();

/**
 * The removal a ctl action makes: one object per action of the rule set, the same in every
 * request, so what it does to a rule's targets can be kept across requests (exclusionsFor).
 */
export function removalOf(ctl: RemovalCtl): TargetRemoval {
  let removal = removals.get(ctl);
  if (removal === undefined) {
    removal = {
      applies:
        ctl.kind === 'ruleRemoveTargetById' ? (r) => inRanges(r.id, ctl.ranges) : (r) => r.tags.includes(ctl.tag),
      target: ctl.target,
      key: refText(ctl.target),
    };
    removals.set(ctl, removal);
  }
  return removal;
}

/** A link's exclusions under a transaction's removals, and the key its values are shared under. */
export interface LinkExclusions {
  readonly exclusions: readonly VariableRef[];
  readonly key: string | null;
}

interface Kept extends LinkExclusions {
  readonly rule: Rule;
  readonly removals: readonly TargetRemoval[];
}

const kept = new WeakMap<RuleLink, Kept>();

/**
 * The link's exclusions with the transaction's runtime removals, and the key its values are
 * shared under: CRS's 941010 removes REQUEST_FILENAME from every XSS rule of most requests, and
 * those rules still share one list of values. Removals are the rule set's own objects
 * (removalOf), so the answer for the last list of removals a link met is kept and reused while
 * the list is the same (by identity, element by element): no tag search and no key built again.
 */
export function exclusionsFor(rule: Rule, link: RuleLink, active: readonly TargetRemoval[]): LinkExclusions {
  const last = kept.get(link);
  if (last !== undefined && last.rule === rule && sameRemovals(last.removals, active)) return last;
  const targets = link.targets;
  let exclusions: readonly VariableRef[] = targets.exclude;
  let key = targets.key;
  for (const removal of active) {
    if (!removal.applies(rule)) continue;
    if (exclusions === targets.exclude) exclusions = [...targets.exclude];
    (exclusions as VariableRef[]).push(removal.target);
    if (key !== null) key = `${key}|!${removal.key}`;
  }
  kept.set(link, { rule, removals: [...active], exclusions, key });
  return { exclusions, key };
}

function sameRemovals(a: readonly TargetRemoval[], b: readonly TargetRemoval[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
