import type { FieldName } from './fieldNames.js';
import { compileCidr } from './operators/cidr.js';
import { compileContains } from './operators/contains.js';
import { compileCount } from './operators/count.js';
import { compileEquals } from './operators/equals.js';
import { compileInList } from './operators/inList.js';
import { compileLength } from './operators/length.js';
import { compileNumber } from './operators/number.js';
import { compilePrefix } from './operators/prefix.js';
import { compilePresent } from './operators/present.js';
import { compileRegexOperator } from './operators/regex.js';
import { compileSuffix } from './operators/suffix.js';
import type { ValueTest } from './operators/types.js';
import { requiredLiterals } from './prefilter.js';
import type { Condition, LeafCondition, RuleSpec } from './ruleSchema.js';
import type { Target, TargetTable } from './targets.js';
import type { TransformName } from './transforms/index.js';
import type { RuleAction, Severity } from './types.js';

export type CompiledCondition =
  | {
      readonly kind: 'leaf';
      readonly targets: readonly Target[];
      readonly test: ValueTest;
      readonly negate: boolean;
      readonly cost: number;
    }
  | { readonly kind: 'any'; readonly of: readonly CompiledCondition[]; readonly cost: number };

/** The fields the conditions read (through `any` groups, each target's root). */
export function conditionFields(conditions: readonly CompiledCondition[]): FieldName[] {
  const fields: FieldName[] = [];
  const visit = (c: CompiledCondition): void => {
    if (c.kind === 'any') c.of.forEach(visit);
    else for (const t of c.targets) fields.push((t.root ?? t).field);
  };
  conditions.forEach(visit);
  return fields;
}

export interface CompiledRule {
  readonly id: string;
  readonly name: string;
  readonly threatId: string;
  readonly severity: Severity;
  readonly score: number;
  readonly action: RuleAction;
  readonly tags: readonly string[];
  readonly on: 'http' | 'datagram';
  /** Cheapest first, so that a failing cheap test spares the costly ones. */
  readonly conditions: readonly CompiledCondition[];
  /** The rule cannot match unless one of an entry's literals (ASCII case folded) occurs in its target. */
  readonly prefilter: readonly PrefilterEntry[] | null;
  /** The rule cannot match unless the destination port is one of these (null: any port). */
  readonly destinationPorts: ReadonlySet<number> | null;
}

/** A compile failure, with the path inside the rule (`when.2.pattern`) for the loader to locate. */
export class RuleCompileError extends Error {
  readonly code = 'E_RULE_COMPILE';
  constructor(
    readonly path: ReadonlyArray<string | number>,
    message: string,
  ) {
    super(message);
  }
}

export interface PrefilterEntry {
  readonly target: Target;
  readonly literals: readonly string[];
}

export type NamedLists = Readonly<Record<string, readonly string[]>>;

const COST: Readonly<Record<LeafCondition['op'], number>> = {
  present: 0,
  count: 0,
  number: 1,
  length: 1,
  equals: 1,
  'in-list': 1,
  cidr: 2,
  prefix: 2,
  suffix: 2,
  contains: 3,
  regex: 10,
};

/**
 * Compile one rule; `targets` is the table shared by every rule of one engine. `validated`: the
 * rule compiled before (a snapshot, the build's copy), so what would only be checked again may
 * be left until first use.
 */
export function compileRule(spec: RuleSpec, lists: NamedLists, targets: TargetTable, validated = false): CompiledRule {
  const defaults = spec.transforms ?? [];
  const scope = { defaults, lists, targets, validated };
  const conditions = spec.when.map((c, i) => compileCondition(c, scope, ['when', i]));
  return {
    id: spec.id,
    name: spec.name,
    threatId: spec.threat,
    severity: spec.severity,
    score: spec.score,
    action: spec.action,
    tags: spec.tags,
    on: spec.on,
    conditions: [...conditions].sort((a, b) => a.cost - b.cost),
    prefilter: choosePrefilter(spec, defaults, targets),
    destinationPorts: requiredPorts(spec, defaults),
  };
}

/**
 * The ports a top-level `destination.port` test with listed values allows, read untransformed
 * (a datagram rule's first test: the engine skips the rule on any other port before reading a field).
 */
function requiredPorts(spec: RuleSpec, defaults: readonly TransformName[]): ReadonlySet<number> | null {
  for (const c of spec.when) {
    if (c.op !== 'number' || c.field !== 'destination.port' || c.negate || c.values === undefined) continue;
    if ((c.transforms ?? defaults).length > 0) continue;
    return new Set(c.values.filter((v) => (c.min === undefined || v >= c.min) && (c.max === undefined || v <= c.max)));
  }
  return null;
}

/** What every condition of one rule is compiled with. */
interface RuleScope {
  readonly defaults: readonly TransformName[];
  readonly lists: NamedLists;
  readonly targets: TargetTable;
  readonly validated: boolean;
}

function compileCondition(c: Condition, scope: RuleScope, path: ReadonlyArray<string | number>): CompiledCondition {
  if (c.op === 'any') {
    const of = c.of.map((x, i) => compileCondition(x, scope, [...path, 'of', i]));
    return { kind: 'any', of, cost: Math.max(...of.map((x) => x.cost)) };
  }
  const targets = fieldsOf(c).map((f) => scope.targets.of(f, c.transforms ?? scope.defaults));
  try {
    return { kind: 'leaf', targets, test: compileLeaf(c, scope), negate: c.negate ?? false, cost: COST[c.op] };
  } catch (err) {
    throw new RuleCompileError(path, (err as Error).message);
  }
}

function compileLeaf(c: LeafCondition, { lists, validated }: RuleScope): ValueTest {
  switch (c.op) {
    case 'equals':
      return compileEquals(c.values);
    case 'contains':
      return compileContains(c.values, validated);
    case 'prefix':
      return compilePrefix(c.values, validated);
    case 'suffix':
      return compileSuffix(c.values, validated);
    case 'regex':
      return compileRegexOperator(c.pattern, c.caseless ?? false, validated);
    case 'cidr':
      return compileCidr(c.values, validated);
    case 'in-list':
      return compileInList(lists[c.list] ?? []);
    case 'present':
      return compilePresent();
    case 'number':
      return compileNumber({ min: c.min, max: c.max }, c.values);
    case 'length':
      return compileLength({ min: c.min, max: c.max });
    case 'count':
      return compileCount({ min: c.min, max: c.max });
  }
}

function fieldsOf(c: LeafCondition): FieldName[] {
  return (typeof c.field === 'string' ? [c.field] : c.field) as FieldName[];
}

/**
 * The top-level condition whose required literals are longest becomes the rule's prefilter.
 * A multi-field condition, or an `any` group whose every branch has literals, gives several
 * entries: the rule is admitted when any entry's literal is seen.
 */
function choosePrefilter(
  spec: RuleSpec,
  defaults: readonly TransformName[],
  targets: TargetTable,
): PrefilterEntry[] | null {
  let best: PrefilterEntry[] | null = null;
  let bestShortest = 0;
  for (const c of spec.when) {
    const entries = prefilterOf(c, defaults, targets);
    if (entries === null) continue;
    const shortest = Math.min(...entries.flatMap((e) => e.literals.map((l) => l.length)));
    if (best === null || shortest > bestShortest) {
      best = entries;
      bestShortest = shortest;
    }
  }
  return best;
}

function prefilterOf(c: Condition, defaults: readonly TransformName[], targets: TargetTable): PrefilterEntry[] | null {
  if (c.op === 'any') {
    const branches = c.of.map((x) => prefilterOf(x, defaults, targets));
    return branches.every((b) => b !== null) ? (branches as PrefilterEntry[][]).flat() : null;
  }
  if (c.negate) return null;
  const literals = literalsOf(c);
  if (literals === null) return null;
  return fieldsOf(c).map((f) => ({ target: targets.of(f, c.transforms ?? defaults), literals }));
}

function literalsOf(c: LeafCondition): string[] | null {
  switch (c.op) {
    case 'equals':
    case 'contains':
    case 'prefix':
    case 'suffix':
      return c.values;
    case 'regex':
      return c.prefilter ?? requiredLiterals(c.pattern, c.caseless ?? false);
    default:
      return null;
  }
}
