/**
 * Many literals matched at once: an Aho–Corasick automaton compiled to a dense DFA (one table
 * lookup per input character, whatever the number of literals), plus tries for "starts with
 * any" and "ends with any". The alphabet is compressed to the characters the literals use
 * (every other character, including everything above U+00FF, is one "other" class), which
 * keeps the tables small; case folding is done by the class map, not per character.
 */
import { computedScanner, scannerKey, storedScanner } from './storedScanners.js';

/** ASCII A–Z to a–z, nothing else: the case folding the automaton applies to its input. */
export function foldAscii(s: string): string {
  // Most literals are folded already: toLowerCase (native) says so without a regex's replace.
  if (s.toLowerCase() === s) return s;
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/** An empty list of owners (see markOwners), shared, never mutated. */
export const NO_OWNERS: readonly number[] = Object.freeze([]);

export interface LiteralSetOptions {
  /** Fold ASCII A–Z to a–z on both sides. */
  readonly caseless?: boolean;
  /** Characters at which markOwners gives up and answers false (see ./fieldPass.ts for why). */
  readonly stopAt?: string;
  /** markOwners also gives up at any character above U+007F. */
  readonly stopAboveAscii?: boolean;
  /** markOwners also gives up where one of these strings occurs (ASCII case folded when caseless). */
  readonly stopAtSubstrings?: readonly string[];
}

/** A scanner table entry meaning "a stop character": below every `~state`, and a small integer (Smi) for V8. */
const STOP = -0x40000000;

/**
 * markOwners' table: the DFA with rows premultiplied by their width (no multiplication per
 * character) and one more column for stop characters. An entry is the next state's row offset,
 * or `~state` when that state ends a literal (one sign test per character finds both the
 * literal ends and the stops), or STOP.
 */
interface Scanner {
  readonly table: Int32Array;
  readonly width: number;
  /** Latin1 character → column; stop characters get the last column. */
  readonly columns: Uint8Array;
  /** The column of characters above U+00FF. */
  readonly wide: number;
  readonly outputs: ReadonlyArray<readonly number[] | undefined>;
  /** Whether any character stops the scan (otherwise a text shorter than minLength is skipped). */
  readonly stops: boolean;
  /**
   * For a scan without stops whose literals start with few characters: those characters (both
   * cases when caseless). No literal starts before the first of them in a text, so the walk
   * starts there, found by native searches — most texts hold none, and are not walked at all.
   */
  readonly starters: readonly string[] | null;
}

/** Most first characters worth a native search each (see Scanner.starters). */
const MAX_STARTERS = 4;

interface Trie {
  /** Dense table: state × class → next state, -1 for no edge. */
  table: Int32Array;
  ends: Uint8Array;
  /** Index of the literal ending at each state, -1 if none. */
  endLiteral: Int32Array;
  states: number;
  /** Each state's edges as linked lists (-1 ends one): its first child, a child's next sibling, the class leading to a child. */
  firstChild: Int32Array;
  nextSibling: Int32Array;
  classOf: Int32Array;
}

/** The complete automaton: state × class → state, and each state's literals (its own and its failure chain's). */
interface Automaton {
  readonly dfa: Int32Array;
  readonly outputs: ReadonlyArray<readonly number[] | undefined>;
}

export class LiteralSet {
  readonly literals: readonly string[];
  readonly minLength: number;
  /** Latin1 character → class (0 = a character no literal uses). */
  private readonly classes: Uint8Array;
  private readonly stride: number;
  /** Built at first use, as are the tables below: most sets of a rule set serve few requests or none. */
  private built: Trie | undefined;
  private automaton: Automaton | undefined;
  private reversed: Trie | undefined;
  private scanner: Scanner | undefined;
  private readonly caseless: boolean;
  private readonly stopAt: string;
  private readonly stopAboveAscii: boolean;
  private readonly stopAtSubstrings: readonly string[];

  constructor(literals: readonly string[], options: LiteralSetOptions = {}) {
    const caseless = options.caseless ?? false;
    this.caseless = caseless;
    this.stopAt = options.stopAt ?? '';
    this.stopAboveAscii = options.stopAboveAscii ?? false;
    this.stopAtSubstrings = options.stopAtSubstrings ?? [];
    const norm = [...new Set(literals.map((l) => (caseless ? foldAscii(l) : l)))];
    for (const l of norm) {
      if (l.length === 0) throw new RangeError('empty literal');
      for (let i = 0; i < l.length; i++)
        if (l.charCodeAt(i) > 255) throw new RangeError(`literal ${JSON.stringify(l)} is not latin1`);
    }
    this.literals = norm;
    this.minLength = norm.reduce((m, l) => Math.min(m, l.length), Number.POSITIVE_INFINITY);
    this.classes = new Uint8Array(256);
    let next = 1;
    for (const l of norm)
      for (let i = 0; i < l.length; i++) {
        const c = l.charCodeAt(i);
        if (this.classes[c] === 0) this.classes[c] = next++;
      }
    if (caseless) for (let c = 65; c <= 90; c++) this.classes[c] = this.classes[c + 32] as number;
    this.stride = next;
  }

  private get trie(): Trie {
    this.built ??= this.buildTrie(this.literals);
    return this.built;
  }

  /** The first literal found anywhere in `text`, or undefined. */
  findIn(text: string): string | undefined {
    this.#found = -1;
    this.scan(text, this.#takeFirst);
    return this.#found < 0 ? undefined : this.literals[this.#found];
  }

  /** `findIn`'s hit: the first literal ends the scan (one function made once, none per call). */
  #found = -1;
  readonly #takeFirst = (index: number): boolean => {
    this.#found = index;
    return true;
  };

  /**
   * Calls `hit` with the index of every literal occurring in `text` (possibly repeatedly),
   * until `hit` returns `true`.
   */
  scan(text: string, hit: (literalIndex: number) => unknown): void {
    const { dfa, outputs } = this.ahoCorasick();
    const classes = this.classes;
    const stride = this.stride;
    let state = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      state = dfa[state * stride + (c > 255 ? 0 : (classes[c] as number))] as number;
      const out = outputs[state];
      if (out !== undefined) for (const index of out) if (hit(index) === true) return;
    }
  }

  /**
   * For every literal occurring in `text`, stamp the entries `owners[literal]` of `marks` —
   * the engine's prefilter pass, without a callback per hit. False when the scan met a stop
   * character (see LiteralSetOptions) and gave up there; the owners of literals before it may
   * have been stamped already.
   */
  markOwners(
    text: string,
    owners: ReadonlyArray<readonly number[]>,
    marks: Uint32Array,
    stamp: number,
    /** Receives each owner the first time this stamp marks it. */
    newlyMarked: number[],
    /** The part of `text` to scan. */
    from = 0,
    to = text.length,
  ): boolean {
    const { table, width, columns, wide, outputs, stops, starters } = this.scanner ?? this.buildScanner();
    if (!stops && to - from < this.minLength) return true;
    let start = from;
    if (starters !== null) {
      start = to;
      for (let k = 0; k < starters.length; k++) {
        const at = text.indexOf(starters[k] as string, from);
        if (at >= 0 && at < start) start = at;
      }
      if (to - start < this.minLength) return true;
    }
    let s = 0;
    for (let i = start; i < to; i++) {
      const c = text.charCodeAt(i);
      s = table[s + (c > 255 ? wide : (columns[c] as number))] as number;
      if (s >= 0) continue;
      if (s === STOP) return false;
      const state = ~s;
      s = state * width;
      for (const literal of outputs[state] as readonly number[])
        for (const owner of owners[literal] as readonly number[]) {
          if (marks[owner] === stamp) continue;
          marks[owner] = stamp;
          newlyMarked.push(owner);
        }
    }
    return true;
  }

  /**
   * True when `text` holds none of the literals and the scan met no stop (see
   * LiteralSetOptions): the test of ./plainGate.ts, which wants no owners, only the answer.
   */
  clearOf(text: string, from = 0, to = text.length): boolean {
    const { table, columns, wide, stops } = this.scanner ?? this.buildScanner();
    if (!stops && to - from < this.minLength) return true;
    let s = 0;
    for (let i = from; i < to; i++) {
      const c = text.charCodeAt(i);
      s = table[s + (c > 255 ? wide : (columns[c] as number))] as number;
      if (s < 0) return false;
    }
    return true;
  }

  startsWithAny(text: string): boolean {
    return this.walk(this.trie, text, false);
  }

  endsWithAny(text: string): boolean {
    this.reversed ??= this.buildTrie(this.literals.map((l) => [...l].reverse().join('')));
    return this.walk(this.reversed, text, true);
  }

  equalsAny(text: string): boolean {
    if (text.length < this.minLength) return false;
    const { table, ends } = this.trie;
    let state = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      state = table[state * this.stride + (c > 255 ? 0 : (this.classes[c] as number))] as number;
      if (state < 0) return false;
    }
    return ends[state] === 1;
  }

  private walk(trie: Trie, text: string, backwards: boolean): boolean {
    let state = 0;
    for (let k = 0; k < text.length; k++) {
      const c = text.charCodeAt(backwards ? text.length - 1 - k : k);
      state = trie.table[state * this.stride + (c > 255 ? 0 : (this.classes[c] as number))] as number;
      if (state < 0) return false;
      if (trie.ends[state] === 1) return true;
    }
    return false;
  }

  private buildTrie(literals: readonly string[]): Trie {
    const capacity = 1 + literals.reduce((n, l) => n + l.length, 0);
    const table = new Int32Array(capacity * this.stride).fill(-1);
    const ends = new Uint8Array(capacity);
    const endLiteral = new Int32Array(capacity).fill(-1);
    const firstChild = new Int32Array(capacity).fill(-1);
    const nextSibling = new Int32Array(capacity).fill(-1);
    const classOf = new Int32Array(capacity);
    let states = 1;
    for (let index = 0; index < literals.length; index++) {
      const literal = literals[index] as string;
      let state = 0;
      for (let i = 0; i < literal.length; i++) {
        const c = this.classes[literal.charCodeAt(i)] as number;
        const slot = state * this.stride + c;
        let next = table[slot] as number;
        if (next < 0) {
          next = states++;
          table[slot] = next;
          classOf[next] = c;
          nextSibling[next] = firstChild[state] as number;
          firstChild[state] = next;
        }
        state = next;
      }
      ends[state] = 1;
      if (endLiteral[state] === -1) endLiteral[state] = index;
    }
    return { table: table.slice(0, states * this.stride), ends, endLiteral, states, firstChild, nextSibling, classOf };
  }

  /** markOwners' table: the build's copy when it has this set's (./storedScanners.ts), else computed. */
  private buildScanner(): Scanner {
    const key = scannerKey(this.literals, this.caseless, this.stopAt, this.stopAboveAscii, this.stopAtSubstrings);
    const stored = storedScanner(key) as Scanner | undefined;
    if (stored !== undefined) {
      this.scanner = stored;
      return stored;
    }
    const scanner = this.computeScanner();
    computedScanner(key, scanner);
    return scanner;
  }

  /**
   * markOwners' table, computed. Stop substrings are found by the same automaton: they are
   * compiled in as extra literals (in a set of their own, so that the other methods never
   * report them), and entering a state where one ends is a stop.
   */
  private computeScanner(): Scanner {
    const subs = this.stopAtSubstrings;
    const source = subs.length === 0 ? this : new LiteralSet([...this.literals, ...subs], { caseless: this.caseless });
    const stopLiterals = new Set(subs.map((l) => source.literals.indexOf(this.caseless ? foldAscii(l) : l)));
    const stride = source.stride;
    const width = stride + 1;
    // What entering each state means: its row, `~state` when literals end there, STOP for a stop substring.
    const entry = (state: number, out: readonly number[] | undefined): number =>
      out === undefined ? state * width : out.some((l) => stopLiterals.has(l)) ? STOP : ~state;
    const { table, automaton } = source.complete(width, entry, STOP);
    source.automaton ??= automaton;
    const columns = source.classes.slice();
    for (let i = 0; i < this.stopAt.length; i++) {
      const c = this.stopAt.charCodeAt(i);
      if (c > 255) throw new RangeError('stop characters are latin1');
      columns[c] = stride;
    }
    if (this.stopAboveAscii) columns.fill(stride, 128);
    const stops = this.stopAt !== '' || this.stopAboveAscii || subs.length > 0;
    const { outputs } = automaton;
    this.scanner = {
      table,
      width,
      columns,
      wide: this.stopAboveAscii ? stride : 0,
      outputs,
      stops,
      starters: stops ? null : this.starters(),
    };
    return this.scanner;
  }

  /** The characters the literals start with, both cases when caseless; null when more than MAX_STARTERS. */
  private starters(): string[] | null {
    const firsts = new Set<string>();
    for (const l of this.literals) {
      const c = l.charAt(0);
      firsts.add(c);
      // The case folding is ASCII's only (foldAscii).
      if (this.caseless && c >= 'a' && c <= 'z') firsts.add(c.toUpperCase());
    }
    return firsts.size <= MAX_STARTERS ? [...firsts] : null;
  }

  /** Failure links by breadth-first search, folded into a complete DFA; built on first use. */
  private ahoCorasick(): Automaton {
    this.automaton ??= this.complete(0, () => 0, 0).automaton;
    return this.automaton;
  }

  /**
   * The trie completed by failure links, breadth first: a state's row is its failure state's
   * row (complete already: that state is shallower) with the state's own edges written over
   * it, one native copy per state rather than a step per cell, which at start-up runs in the
   * interpreter. Alongside the DFA, when `width` > 0, a table of `width` columns per state whose
   * cells are `cell(state entered, its literals)`, the columns past the classes `extra`.
   */
  private complete(
    width: number,
    cell: (state: number, outputs: readonly number[] | undefined) => number,
    extra: number,
  ): { table: Int32Array; automaton: Automaton } {
    const { stride, trie } = this;
    const { states, firstChild, nextSibling, classOf, endLiteral } = trie;
    const dfa = new Int32Array(states * stride);
    const table = new Int32Array(states * width);
    const fail = new Int32Array(states);
    const outputs: Array<readonly number[] | undefined> = new Array(states).fill(undefined);
    if (width > 0) table.fill(extra, stride, width).fill(cell(0, undefined), 0, stride);
    const queue: number[] = [];
    for (let child = firstChild[0] as number; child >= 0; child = nextSibling[child] as number) {
      const literal = endLiteral[child] as number;
      if (literal >= 0) outputs[child] = [literal];
      dfa[classOf[child] as number] = child;
      if (width > 0) table[classOf[child] as number] = cell(child, outputs[child]);
      queue.push(child);
    }
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head] as number;
      const f = fail[state] as number;
      dfa.copyWithin(state * stride, f * stride, f * stride + stride);
      if (width > 0) table.copyWithin(state * width, f * width, f * width + width);
      for (let child = firstChild[state] as number; child >= 0; child = nextSibling[child] as number) {
        const c = classOf[child] as number;
        const childFail = dfa[f * stride + c] as number;
        fail[child] = childFail;
        const literal = endLiteral[child] as number;
        const inherited = outputs[childFail];
        if (literal >= 0) outputs[child] = inherited === undefined ? [literal] : [literal, ...inherited];
        else outputs[child] = inherited;
        dfa[state * stride + c] = child;
        if (width > 0) table[state * width + c] = cell(child, outputs[child]);
        queue.push(child);
      }
    }
    return { table, automaton: { dfa, outputs } };
  }
}
