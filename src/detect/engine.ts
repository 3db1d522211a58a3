import type { Observation } from '../observe/observation.js';
import type { CompiledCondition, CompiledRule, Target } from './compile.js';
import { Doorkeeper } from './doorkeeper.js';
import { FieldContext } from './fields.js';
import { foldAscii, LiteralSet } from './literalSet.js';
import type { Engine, Match } from './types.js';

/** Evidence kept in a Match is bounded, whatever the size of the value that matched. */
export const EVIDENCE_LIMIT = 256;

interface PrefilterGroup {
  readonly target: Target;
  readonly set: LiteralSet;
  /** For each literal of `set`, the indexes of the rules it admits. */
  readonly owners: ReadonlyArray<readonly number[]>;
  /** Raw value → the rules the literals in its transformed form admit (see PREFILTER_MEMO). */
  readonly memo: Map<string, readonly number[]>;
  /** The group's position, salting its doorkeeper fingerprints. */
  readonly index: number;
}

/**
 * The prefilter's verdict on a string is a pure function of the string, and traffic repeats
 * itself: the same User-Agents, referers, hosts and asset paths come back request after
 * request. Hashing a string to find it again costs a fraction of scanning it, so each
 * group remembers its recent strings. Bounded: strings longer than `maxLength` are always
 * scanned, a group's memo is emptied when it reaches `entries`, keys are detached from the
 * request they came from (memory stays below groups × entries × maxLength characters, about
 * 17 M for the built-in packs), and a value is remembered only when it comes back (a flood
 * of unique strings costs a lookup and a fingerprint each).
 */
export const PREFILTER_MEMO = { maxLength: 256, entries: 2048 } as const;

/**
 * The compiled rule set. A request first runs one Aho–Corasick pass per distinct prefiltered
 * field (all rules' required literals at once); only rules whose literal was seen, plus the
 * few without a prefilter (cheap method/port/form tests), are evaluated in full — the pass
 * lists them, so the other rules are not even visited.
 */
export class RuleEngine implements Engine {
  readonly rules: readonly CompiledRule[];
  /** Per kind, the rules without a prefilter: evaluated for every Observation of that kind. */
  private readonly unfiltered: Readonly<Record<Observation['kind'], readonly number[]>>;
  private readonly groups: Readonly<Record<Observation['kind'], readonly PrefilterGroup[]>>;
  private readonly admitted: Uint32Array;
  /** The rules to evaluate for the current Observation (scratch, reused). */
  private readonly candidates: number[] = [];
  /** Values go into the prefilter memo on their second sighting (see ./doorkeeper.ts). */
  private readonly doorkeeper = new Doorkeeper(16);
  private generation = 0;

  constructor(rules: readonly CompiledRule[]) {
    this.rules = rules;
    const unfiltered = (kind: Observation['kind']) =>
      rules.flatMap((r, i) => (r.on === kind && r.prefilter === null ? [i] : []));
    this.unfiltered = { http: unfiltered('http'), datagram: unfiltered('datagram') };
    this.groups = { http: buildGroups(rules, 'http'), datagram: buildGroups(rules, 'datagram') };
    this.admitted = new Uint32Array(rules.length);
  }

  get ruleCount(): number {
    return this.rules.length;
  }

  match(observation: Observation): Match[] {
    const ctx = new FieldContext(observation);
    // The engine is synchronous and never re-entered, so one scratch array serves every call.
    const generation = this.nextGeneration();
    const admitted = this.admitted;
    const candidates = this.candidates;
    candidates.length = 0;
    for (const group of this.groups[observation.kind])
      admitGroup(group, ctx, admitted, generation, candidates, this.doorkeeper);
    for (const index of this.unfiltered[observation.kind]) candidates.push(index);
    // Rule order, as the rule set lists them, is the order of the matches.
    candidates.sort(ascending);
    const matches: Match[] = [];
    for (let c = 0; c < candidates.length; c++) {
      const rule = this.rules[candidates[c] as number] as CompiledRule;
      const evidence = evaluate(rule.conditions, ctx);
      if (evidence !== null) matches.push(toMatch(rule, evidence));
    }
    return matches;
  }

  private nextGeneration(): number {
    this.generation = (this.generation + 1) >>> 0;
    if (this.generation === 0) {
      this.admitted.fill(0);
      this.generation = 1;
    }
    return this.generation;
  }
}

/**
 * The group's prefilter pass. The memo is keyed by the raw value, not the transformed one: a
 * value seen before admits its rules without even computing its transformation chain (only
 * admitted rules will need it). Transformations map values one to one, so the i-th transformed
 * value is the i-th raw value's.
 */
function admitGroup(
  group: PrefilterGroup,
  ctx: FieldContext,
  admitted: Uint32Array,
  generation: number,
  candidates: number[],
  doorkeeper: Doorkeeper,
): void {
  const raw = ctx.get(group.target.root ?? group.target);
  let transformed: readonly string[] | null = null;
  for (let v = 0; v < raw.length; v++) {
    const key = raw[v] as string;
    let rules = key.length > PREFILTER_MEMO.maxLength ? undefined : group.memo.get(key);
    if (rules === undefined) {
      transformed ??= ctx.get(group.target);
      const value = transformed[v] as string;
      // Not worth remembering (too long, or not seen before): stamp its rules straight away.
      if (key.length > PREFILTER_MEMO.maxLength || !doorkeeper.seenBefore(key, group.index)) {
        group.set.markOwners(value, group.owners, admitted, generation, candidates);
        continue;
      }
      rules = group.set.ownersIn(value, group.owners);
      if (group.memo.size >= PREFILTER_MEMO.entries) group.memo.clear();
      group.memo.set(detached(key), rules);
    }
    for (let r = 0; r < rules.length; r++) {
      const rule = rules[r] as number;
      if (admitted[rule] === generation) continue;
      admitted[rule] = generation;
      candidates.push(rule);
    }
  }
}

/**
 * A copy of `value` that keeps nothing else alive: a value cut from a request (a path out of
 * the request line, a header out of the raw head) may be a slice that holds its whole parent
 * string, and the memo outlives the request. Concatenating forces a fresh flat string.
 */
function detached(value: string): string {
  return ` ${value}`.slice(1);
}

function ascending(a: number, b: number): number {
  return a - b;
}

interface Evidence {
  field: string;
  value: string;
}

/** All conditions hold → the evidence of the costliest positive one; otherwise null. */
function evaluate(conditions: readonly CompiledCondition[], ctx: FieldContext): Evidence | null {
  let evidence: Evidence | null = null;
  for (const c of conditions) {
    const found = evaluateOne(c, ctx);
    if (found === null) return null;
    if (found !== true) evidence = found;
  }
  return evidence ?? { field: '', value: '' };
}

/** Evidence when a positive condition holds, `true` when a negated one holds, null when it fails. */
function evaluateOne(c: CompiledCondition, ctx: FieldContext): Evidence | true | null {
  if (c.kind === 'any') {
    for (const x of c.of) {
      const found = evaluateOne(x, ctx);
      if (found !== null) return found;
    }
    return null;
  }
  let first: Evidence | null = null;
  for (const target of c.targets) {
    const values = ctx.get(target);
    const value = c.test(values);
    if (value !== undefined) return c.negate ? null : { field: target.key, value };
    if (first === null && values.length > 0) first = { field: target.key, value: values[0] as string };
  }
  // A negated condition that holds shows what it looked at (the foreign host, say), if anything.
  return c.negate ? (first ?? true) : null;
}

function toMatch(rule: CompiledRule, evidence: Evidence): Match {
  return {
    ruleId: rule.id,
    ruleName: rule.name,
    threatId: rule.threatId,
    severity: rule.severity,
    score: rule.score,
    action: rule.action,
    field: evidence.field,
    value: evidence.value.length > EVIDENCE_LIMIT ? evidence.value.slice(0, EVIDENCE_LIMIT) : evidence.value,
    tags: rule.tags,
  };
}

function buildGroups(rules: readonly CompiledRule[], kind: Observation['kind']): PrefilterGroup[] {
  const byTarget = new Map<string, { target: Target; owners: Map<string, number[]> }>();
  rules.forEach((rule, index) => {
    if (rule.on !== kind || rule.prefilter === null) return;
    for (const { target, literals } of rule.prefilter) {
      let group = byTarget.get(target.key);
      if (group === undefined) {
        group = { target, owners: new Map() };
        byTarget.set(target.key, group);
      }
      for (const literal of literals) {
        const folded = foldAscii(literal);
        const owners = group.owners.get(folded) ?? [];
        if (!owners.includes(index)) owners.push(index);
        group.owners.set(folded, owners);
      }
    }
  });
  return [...byTarget.values()].map(({ target, owners }, index) => ({
    index,
    target,
    set: new LiteralSet([...owners.keys()], { caseless: true }),
    owners: [...owners.values()],
    memo: new Map(),
  }));
}
