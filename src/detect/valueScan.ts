import type { Doorkeeper } from './doorkeeper.js';
import { LiteralSet, NO_OWNERS } from './literalSet.js';
import { MarkTable } from './markTable.js';
import type { Target } from './targets.js';
import { combinedGuard, type IdentityGuard } from './transforms/identity.js';
import { TRANSFORMS, type TransformName } from './transforms/index.js';

/**
 * The prefilter's verdict on a value is a pure function of the value, and traffic repeats
 * itself: the same User-Agents, referers, hosts, header names and asset paths come back request
 * after request. Finding a value again costs a fraction of scanning it (most repeats are found
 * by one string comparison, see ValueScan.recent; the rest by a native hash), so each scan
 * remembers its recent values. Bounded: values longer than `maxLength` are always scanned, a
 * memo is emptied when it reaches `entries`, keys are detached from the request they came from
 * (memory stays below scans × entries × maxLength characters, about 10 M for the built-in
 * packs), and a value is remembered only when it comes back (a flood of unique strings costs a
 * lookup and a fingerprint each).
 */
export const PREFILTER_MEMO = { maxLength: 256, entries: 2048 } as const;

/** One transformation chain's literals, scanned in the chain's transformed value. */
interface ChainFilter {
  readonly target: Target;
  readonly set: LiteralSet;
  /** For each literal of `set`, the indexes of the rules it admits. */
  readonly owners: ReadonlyArray<readonly number[]>;
}

/** A chain's literals (ASCII case folded) and, for each, the rules it admits. */
export interface ChainLiterals {
  readonly target: Target;
  readonly owners: ReadonlyMap<string, readonly number[]>;
}

/**
 * The prefilter for one raw value under all the transformation chains rules apply to it.
 * Rules see `args.values|urlDecode,lowercase`, `args.values|urlDecode,htmlEntityDecode,…,
 * removeWhitespace` and so on, but on most values every chain is the identity (up to the ASCII
 * case the scan folds anyway): no escape, no entity, no odd whitespace, nothing beyond ASCII.
 * Such a value is scanned once, raw, by one automaton over all the chains' literals, stopping
 * at the first character or substring some chain would change (./transforms/identity.ts lists
 * them); only a value with such a character has its chains computed and scanned one by one.
 * Both ways stamp the same rules (a stopped scan may stamp a few more, which only costs their
 * evaluation). The memo (PREFILTER_MEMO) serves both ways.
 */
export class ValueScan {
  private readonly chainLiterals: readonly ChainLiterals[];
  /** Each chain's own set, built when a value first needs its chains scanned one by one. */
  private chains: readonly ChainFilter[] | undefined;
  /**
   * Every chain's literals and, for each, the rules it admits; stops where a chain's
   * transformation could change the value. Built at the first value: a header's scan may
   * never see its header.
   */
  private merged: { readonly set: LiteralSet; readonly owners: ReadonlyArray<readonly number[]> } | undefined;
  private readonly guard: IdentityGuard;
  /** 1 for each latin1 first character a chain could change (the scan cannot tell a first character). */
  private readonly leading = new Uint8Array(256);
  /** Raw value → the rules its chains' literals admit (see PREFILTER_MEMO). */
  private readonly memo = new Map<string, Remembered>();
  /**
   * The memo's entries last found, by a slot computed from a value's length and two of its
   * characters: a repeat found here costs one string comparison, not a hash of the value.
   */
  private readonly recent: Remembered[] = new Array(RECENT_SLOTS).fill(NOTHING_RECENT);
  /** Salts this scan's doorkeeper fingerprints. */
  private readonly salt: number;
  /** Collects one value's rules for the memo. */
  private readonly own: MarkTable;

  /** `guard`: what the merged scan must stop at; by default what the chains' transformations could change. */
  constructor(
    chains: readonly ChainLiterals[],
    salt: number,
    ruleCount: number,
    guard: IdentityGuard = chainsGuard(chains),
  ) {
    this.salt = salt;
    this.own = new MarkTable(ruleCount);
    this.chainLiterals = chains;
    this.guard = guard;
    for (let i = 0; i < guard.leading.length; i++) {
      const c = guard.leading.charCodeAt(i);
      if (c > 255) throw new RangeError('leading guard characters are latin1');
      this.leading[c] = 1;
    }
  }

  /**
   * The one raw scan alone, on a text that contains the values of several scans' fields (the
   * request line holds the path and query): stamps the rules of every literal in it, a
   * superset of what the values would stamp. False when it met a stop: the caller then admits
   * each value by itself. The caller checks `startsUnchanged` on each value first.
   */
  admitContaining(text: string, admitted: MarkTable, stamp: number, candidates: number[]): boolean {
    const merged = this.merged ?? this.mergeChains();
    return merged.set.markOwners(text, merged.owners, admitted.marks, stamp, candidates);
  }

  /**
   * Stamps the rules `value` admits, pushing each newly stamped rule onto `candidates`: the
   * rules remembered for it (PREFILTER_MEMO), or a scan.
   */
  admit(
    value: string,
    chainValues: ChainValues,
    admitted: MarkTable,
    stamp: number,
    candidates: number[],
    doorkeeper: Doorkeeper,
  ): void {
    const marks = admitted.marks;
    if (value.length > PREFILTER_MEMO.maxLength) {
      this.scan(value, chainValues, marks, stamp, candidates);
      return;
    }
    const slot = recentSlot(value);
    let entry = this.recent[slot] as Remembered;
    if (entry.value !== value) {
      const found = this.memo.get(value);
      if (found !== undefined) entry = found;
      else {
        // Not seen before: stamp its rules straight away, and remember it if it comes back.
        if (!doorkeeper.seenBefore(value, this.salt)) {
          this.scan(value, chainValues, marks, stamp, candidates);
          return;
        }
        const rules: number[] = [];
        this.scan(value, chainValues, this.own.marks, this.own.nextStamp(), rules);
        entry = { value: detached(value), rules: rules.length === 0 ? NO_OWNERS : rules };
        if (this.memo.size >= PREFILTER_MEMO.entries) this.memo.clear();
        this.memo.set(entry.value, entry);
      }
      this.recent[slot] = entry;
    }
    const rules = entry.rules;
    for (let r = 0; r < rules.length; r++) {
      const rule = rules[r] as number;
      if (marks[rule] === stamp) continue;
      marks[rule] = stamp;
      candidates.push(rule);
    }
  }

  /** The value's rules: one raw scan when no chain changes it, each chain's scan otherwise. */
  private scan(value: string, chainValues: ChainValues, marks: Uint32Array, stamp: number, out: number[]): void {
    if (this.scanPlain(value, marks, stamp, out)) return;
    chainValues.start(value);
    this.chains ??= this.chainLiterals.map(({ target, owners }) => ({
      target,
      set: new LiteralSet([...owners.keys()], { caseless: true }),
      owners: [...owners.values()],
    }));
    for (const chain of this.chains)
      chain.set.markOwners(chainValues.get(chain.target), chain.owners, marks, stamp, out);
  }

  /** False when some chain may change `value`: its raw scan then stopped (having stamped what it had seen). */
  private scanPlain(value: string, marks: Uint32Array, stamp: number, out: number[]): boolean {
    if (!this.startsUnchanged(value)) return false;
    const merged = this.merged ?? this.mergeChains();
    return merged.set.markOwners(value, merged.owners, marks, stamp, out);
  }

  private mergeChains(): NonNullable<ValueScan['merged']> {
    const union = new Map<string, number[]>();
    for (const { owners } of this.chainLiterals)
      for (const [literal, rules] of owners) {
        const all = union.get(literal);
        if (all === undefined) union.set(literal, [...rules]);
        else for (const rule of rules) if (!all.includes(rule)) all.push(rule);
      }
    const guard = this.guard;
    const set = new LiteralSet([...union.keys()], {
      caseless: true,
      stopAt: guard.characters,
      stopAboveAscii: guard.asciiOnly,
      stopAtSubstrings: guard.substrings,
    });
    this.merged = { set, owners: [...union.values()] };
    return this.merged;
  }

  /** False when `value` starts with a character some chain changes (the scan cannot tell a first character). */
  startsUnchanged(value: string): boolean {
    if (value.length === 0) return true;
    const c = value.charCodeAt(0);
    return c > 255 || this.leading[c] === 0;
  }
}

/** A remembered value (detached, see `detached`) and the rules it admits. */
interface Remembered {
  readonly value: string;
  readonly rules: readonly number[];
}

/** Fills the recent table; right for the one value it equals, the empty one, whose scan finds no literal. */
const NOTHING_RECENT: Remembered = { value: '', rules: NO_OWNERS };
const RECENT_SLOTS = 256;

/** A value's slot in the recent table: cheap, and apart for the few values that repeat most (User-Agents differ in length). */
function recentSlot(value: string): number {
  const n = value.length;
  return (Math.imul(n, 0x9e3779b1) ^ Math.imul(value.charCodeAt(n >> 1), 31) ^ value.charCodeAt(n - 1)) >>> 24;
}

/** What any of the chains' transformations could change. */
export function chainsGuard(chains: readonly ChainLiterals[]): IdentityGuard {
  return combinedGuard(chains.flatMap(({ target }) => target.transforms as TransformName[]));
}

/**
 * One raw value under several chains, each step computed once: chains sharing a prefix
 * (`urlDecode, lowercase` and `urlDecode, lowercase, compressWhitespace`) share its work.
 * Scratch, reused for every value (targets are small dense ids).
 */
export class ChainValues {
  private values: string[] = [];
  private stamps = new Uint32Array(0);
  private stamp = 0;
  private raw = '';

  start(raw: string): void {
    this.raw = raw;
    this.stamp = (this.stamp + 1) >>> 0;
    if (this.stamp === 0) {
      this.stamps.fill(0);
      this.stamp = 1;
    }
  }

  get(target: Target): string {
    if (target.parent === null || target.last === null) return this.raw;
    const id = target.id;
    if (id < this.stamps.length && this.stamps[id] === this.stamp) return this.values[id] as string;
    const value = TRANSFORMS[target.last](this.get(target.parent));
    if (id >= this.stamps.length) this.grow(id + 1);
    this.values[id] = value;
    this.stamps[id] = this.stamp;
    return value;
  }

  private grow(size: number): void {
    const stamps = new Uint32Array(Math.max(size, this.stamps.length * 2, 64));
    stamps.set(this.stamps);
    this.stamps = stamps;
    const values: string[] = new Array(stamps.length).fill('');
    for (let i = 0; i < this.values.length; i++) values[i] = this.values[i] as string;
    this.values = values;
  }
}

/**
 * A copy of `value` that keeps nothing else alive: a value cut from a request (a path out of
 * the request line, a header out of the raw head) may be a slice that holds its whole parent
 * string, and the memo outlives the request. Concatenating forces a fresh flat string.
 */
export function detached(value: string): string {
  return ` ${value}`.slice(1);
}
