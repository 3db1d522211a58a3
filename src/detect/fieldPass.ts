import type { CompiledRule, Target } from './compile.js';
import type { Doorkeeper } from './doorkeeper.js';
import type { FieldContext } from './fields.js';
import { foldAscii, LiteralSet, NO_OWNERS } from './literalSet.js';
import { MarkTable } from './markTable.js';
import { combinedGuard } from './transforms/identity.js';
import type { TransformName } from './transforms/index.js';

/**
 * The prefilter's verdict on a value is a pure function of the value, and traffic repeats
 * itself: the same User-Agents, referers, hosts and asset paths come back request after
 * request. For a value its transformation chains change (an escape, an entity, …), hashing it
 * to find it again costs a fraction of transforming and scanning it, so each field remembers
 * its recent such values. Bounded: values longer than `maxLength` are always
 * scanned, a field's memo is emptied when it reaches `entries`, keys are detached from the
 * request they came from (memory stays below fields × entries × maxLength characters, about
 * 9 M for the built-in packs), and a value is remembered only when it comes back (a flood
 * of unique strings costs a lookup and a fingerprint each).
 */
export const PREFILTER_MEMO = { maxLength: 256, entries: 2048 } as const;

/** One transformation chain's literals, scanned in the chain's transformed value. */
interface ChainFilter {
  readonly target: Target;
  readonly set: LiteralSet;
  /** For each literal of `set`, the indexes of the rules it admits. */
  readonly owners: ReadonlyArray<readonly number[]>;
}

/**
 * The prefilter pass over one field (`args.values`, `request.path`, …) for all the
 * transformation chains rules apply to it. Rules see `args.values|urlDecode,lowercase`,
 * `args.values|urlDecode,htmlEntityDecode,…,removeWhitespace` and so on, but on most values
 * every chain is the identity (up to the ASCII case the scan folds anyway): no escape, no
 * entity, no odd whitespace, nothing beyond ASCII. Such a value is scanned once, raw, by one
 * automaton over all the chains' literals, stopping at the first character some chain would
 * change (../transforms/identity.ts lists them); only a value with such a character has its
 * chains computed and scanned one by one. Both ways stamp the same rules (a stopped scan may
 * stamp a few more, which only costs their evaluation). The memo (PREFILTER_MEMO) serves the
 * second way only.
 */
export class FieldPass {
  readonly root: Target;
  private readonly chains: readonly ChainFilter[];
  /** Every chain's literals; stops where a chain's transformation could change the value. */
  private readonly merged: LiteralSet;
  private readonly mergedOwners: ReadonlyArray<readonly number[]>;
  /** Substrings and first characters a chain could change (the scan's stops cannot see these). */
  private readonly substrings: readonly string[];
  private readonly leading: string;
  /** Raw value → the rules its chains' literals admit (see PREFILTER_MEMO). */
  private readonly memo = new Map<string, readonly number[]>();
  /** Salts this field's doorkeeper fingerprints. */
  private readonly salt: number;
  /** Collects one value's rules for the memo. */
  private readonly own: MarkTable;

  constructor(
    root: Target,
    chains: ReadonlyArray<{ target: Target; owners: Map<string, number[]> }>,
    salt: number,
    ruleCount: number,
  ) {
    this.root = root;
    this.salt = salt;
    this.own = new MarkTable(ruleCount);
    this.chains = chains.map(({ target, owners }) => ({
      target,
      set: new LiteralSet([...owners.keys()], { caseless: true }),
      owners: [...owners.values()],
    }));
    const union = new Map<string, number[]>();
    for (const { owners } of chains)
      for (const [literal, rules] of owners) {
        const all = union.get(literal) ?? [];
        for (const rule of rules) if (!all.includes(rule)) all.push(rule);
        union.set(literal, all);
      }
    const guard = combinedGuard(chains.flatMap(({ target }) => target.transforms as TransformName[]));
    this.merged = new LiteralSet([...union.keys()], {
      caseless: true,
      stopAt: guard.characters,
      stopAboveAscii: guard.asciiOnly,
    });
    this.mergedOwners = [...union.values()];
    this.substrings = guard.substrings;
    this.leading = guard.leading;
  }

  /**
   * Stamps, for every value of the field, the rules its literals admit, pushing each newly
   * stamped rule onto `candidates`.
   */
  admit(ctx: FieldContext, admitted: MarkTable, stamp: number, candidates: number[], doorkeeper: Doorkeeper): void {
    const raw = ctx.get(this.root);
    const marks = admitted.marks;
    for (let v = 0; v < raw.length; v++) {
      const value = raw[v] as string;
      if (this.unchangedByChains(value) && this.merged.markOwners(value, this.mergedOwners, marks, stamp, candidates))
        continue;
      this.admitChanged(ctx, v, value, marks, stamp, candidates, doorkeeper);
    }
  }

  /**
   * A value some chain transforms: each chain's form is computed and scanned, unless the memo
   * knows the value. Plain values never reach the memo: their one scan costs about what
   * hashing them for a lookup would.
   */
  private admitChanged(
    ctx: FieldContext,
    v: number,
    value: string,
    marks: Uint32Array,
    stamp: number,
    candidates: number[],
    doorkeeper: Doorkeeper,
  ): void {
    const short = value.length <= PREFILTER_MEMO.maxLength;
    let rules = short ? this.memo.get(value) : undefined;
    if (rules === undefined) {
      // Not worth remembering (too long, or not seen before): stamp its rules straight away.
      if (!short || !doorkeeper.seenBefore(value, this.salt)) {
        this.scanChains(ctx, v, marks, stamp, candidates);
        return;
      }
      const found: number[] = [];
      this.scanChains(ctx, v, this.own.marks, this.own.nextStamp(), found);
      rules = found.length === 0 ? NO_OWNERS : found;
      if (this.memo.size >= PREFILTER_MEMO.entries) this.memo.clear();
      this.memo.set(detached(value), rules);
    }
    for (let r = 0; r < rules.length; r++) {
      const rule = rules[r] as number;
      if (marks[rule] === stamp) continue;
      marks[rule] = stamp;
      candidates.push(rule);
    }
  }

  private scanChains(ctx: FieldContext, v: number, marks: Uint32Array, stamp: number, out: number[]): void {
    // Transformations map values one to one: the v-th transformed value is the v-th raw value's.
    for (const chain of this.chains)
      chain.set.markOwners(ctx.get(chain.target)[v] as string, chain.owners, marks, stamp, out);
  }

  /** The checks the merged scan's stop characters cannot make (`//`, a leading `.`, …). */
  private unchangedByChains(value: string): boolean {
    for (let i = 0; i < this.substrings.length; i++) if (value.includes(this.substrings[i] as string)) return false;
    return value.length === 0 || !this.leading.includes(value[0] as string);
  }
}

/**
 * The passes for one kind of Observation: prefilter entries grouped by raw field, then by
 * transformation chain, literals ASCII case folded.
 */
export function buildFieldPasses(rules: readonly CompiledRule[], kind: CompiledRule['on']): FieldPass[] {
  const byRoot = new Map<Target, Map<Target, Map<string, number[]>>>();
  rules.forEach((rule, index) => {
    if (rule.on !== kind || rule.prefilter === null) return;
    for (const { target, literals } of rule.prefilter) {
      const root = target.root ?? target;
      const chains = byRoot.get(root) ?? new Map<Target, Map<string, number[]>>();
      byRoot.set(root, chains);
      const owners = chains.get(target) ?? new Map<string, number[]>();
      chains.set(target, owners);
      for (const literal of literals) {
        const folded = foldAscii(literal);
        const list = owners.get(folded) ?? [];
        if (!list.includes(index)) list.push(index);
        owners.set(folded, list);
      }
    }
  });
  return [...byRoot].map(
    ([root, chains], salt) =>
      new FieldPass(
        root,
        [...chains].map(([target, owners]) => ({ target, owners })),
        salt,
        rules.length,
      ),
  );
}

/**
 * A copy of `value` that keeps nothing else alive: a value cut from a request (a path out of
 * the request line, a header out of the raw head) may be a slice that holds its whole parent
 * string, and the memo outlives the request. Concatenating forces a fresh flat string.
 */
function detached(value: string): string {
  return ` ${value}`.slice(1);
}
