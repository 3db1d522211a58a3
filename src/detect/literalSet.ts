/**
 * Many literals matched at once: an Aho–Corasick automaton compiled to a dense DFA over
 * latin1 (one table lookup per input character, whatever the number of literals), plus
 * tries for "starts with any" and "ends with any". Characters above U+00FF (possible after
 * `%uXXXX` decoding) map to a symbol no literal uses.
 */
const ALPHABET = 257;
const OTHER = 256;

export interface LiteralSetOptions {
  /** Fold ASCII A–Z to a–z on both sides. */
  readonly caseless?: boolean;
}

/** ASCII A–Z to a–z, nothing else: the case folding the automaton applies to its input. */
export function foldAscii(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

export class LiteralSet {
  readonly literals: readonly string[];
  private readonly caseless: boolean;
  private readonly dfa: Int32Array;
  /** Literal indexes ending at each state (own and inherited through failure links). */
  private readonly outputs: ReadonlyArray<readonly number[] | undefined>;
  /** Trie of reversed literals, for suffix tests. */
  private readonly reverse: Int32Array;
  private readonly reverseEnds: Uint8Array;
  private readonly forwardEnds: Uint8Array;
  private readonly trie: Int32Array;
  readonly minLength: number;

  constructor(literals: readonly string[], options: LiteralSetOptions = {}) {
    this.caseless = options.caseless ?? false;
    const norm = [...new Set(literals.map((l) => this.fold(l)))];
    for (const l of norm) {
      if (l.length === 0) throw new RangeError('empty literal');
      for (let i = 0; i < l.length; i++)
        if (l.charCodeAt(i) > 255) throw new RangeError(`literal ${JSON.stringify(l)} is not latin1`);
    }
    this.literals = norm;
    this.minLength = norm.reduce((m, l) => Math.min(m, l.length), Number.POSITIVE_INFINITY);
    const forward = buildTrie(norm);
    this.forwardEnds = forward.ends;
    const { dfa, outputs } = toAhoCorasick(forward);
    const reversed = buildTrie(norm.map((l) => [...l].reverse().join('')));
    if (this.caseless) for (const table of [forward.table, dfa, reversed.table]) foldColumns(table);
    this.trie = forward.table;
    this.dfa = dfa;
    this.outputs = outputs;
    this.reverse = reversed.table;
    this.reverseEnds = reversed.ends;
  }

  /** The first literal found anywhere in `text`, or undefined. */
  findIn(text: string): string | undefined {
    const dfa = this.dfa;
    let state = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      state = dfa[state * ALPHABET + (c > 255 ? OTHER : c)] as number;
      const out = this.outputs[state];
      if (out !== undefined) return this.literals[out[0] as number];
    }
    return undefined;
  }

  /** Calls `hit` with the index of every literal occurring in `text` (possibly repeatedly). */
  scan(text: string, hit: (literalIndex: number) => void): void {
    const dfa = this.dfa;
    let state = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      state = dfa[state * ALPHABET + (c > 255 ? OTHER : c)] as number;
      const out = this.outputs[state];
      if (out !== undefined) for (const index of out) hit(index);
    }
  }

  /**
   * For every literal occurring in `text`, stamp the entries `owners[literal]` of `marks` —
   * the engine's prefilter pass, without a callback per hit.
   */
  markOwners(text: string, owners: ReadonlyArray<readonly number[]>, marks: Uint32Array, stamp: number): void {
    const dfa = this.dfa;
    const outputs = this.outputs;
    let state = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      state = dfa[state * ALPHABET + (c > 255 ? OTHER : c)] as number;
      const out = outputs[state];
      if (out !== undefined)
        for (const literal of out) for (const owner of owners[literal] as readonly number[]) marks[owner] = stamp;
    }
  }

  startsWithAny(text: string): boolean {
    return walk(this.trie, this.forwardEnds, text, false);
  }

  endsWithAny(text: string): boolean {
    return walk(this.reverse, this.reverseEnds, text, true);
  }

  equalsAny(text: string): boolean {
    if (text.length < this.minLength) return false;
    let state = 0;
    const table = this.trie;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      state = table[state * ALPHABET + (c > 255 ? OTHER : c)] as number;
      if (state <= 0) return false;
    }
    return this.forwardEnds[state] === 1;
  }

  private fold(s: string): string {
    return this.caseless ? foldAscii(s) : s;
  }
}

interface Trie {
  table: Int32Array;
  ends: Uint8Array;
  /** literal index ending at each state, -1 if none */
  endLiteral: Int32Array;
  states: number;
}

/** A trie as a dense table; -1 means "no edge". State 0 is the root. */
function buildTrie(literals: readonly string[]): Trie {
  const capacity = 1 + literals.reduce((n, l) => n + l.length, 0);
  const table = new Int32Array(capacity * ALPHABET).fill(-1);
  const ends = new Uint8Array(capacity);
  const endLiteral = new Int32Array(capacity).fill(-1);
  let states = 1;
  literals.forEach((literal, index) => {
    let state = 0;
    for (let i = 0; i < literal.length; i++) {
      const slot = state * ALPHABET + literal.charCodeAt(i);
      let next = table[slot] as number;
      if (next < 0) {
        next = states++;
        table[slot] = next;
      }
      state = next;
    }
    ends[state] = 1;
    if (endLiteral[state] === -1) endLiteral[state] = index;
  });
  return { table, ends, endLiteral, states };
}

/** Add failure links by breadth-first search and fold them into the table: a complete DFA. */
function toAhoCorasick(trie: Trie): { dfa: Int32Array; outputs: Array<number[] | undefined> } {
  const dfa = trie.table.slice(0, trie.states * ALPHABET);
  const fail = new Int32Array(trie.states);
  const outputs: Array<number[] | undefined> = new Array(trie.states).fill(undefined);
  for (let s = 0; s < trie.states; s++) {
    const lit = trie.endLiteral[s] as number;
    if (lit >= 0) outputs[s] = [lit];
  }
  const queue: number[] = [];
  for (let c = 0; c < ALPHABET; c++) {
    const next = dfa[c] as number;
    if (next < 0) dfa[c] = 0;
    else {
      fail[next] = 0;
      queue.push(next);
    }
  }
  for (let head = 0; head < queue.length; head++) {
    const state = queue[head] as number;
    const inherited = outputs[fail[state] as number];
    if (inherited !== undefined) outputs[state] = [...(outputs[state] ?? []), ...inherited];
    for (let c = 0; c < ALPHABET; c++) {
      const slot = state * ALPHABET + c;
      const next = dfa[slot] as number;
      const viaFail = dfa[(fail[state] as number) * ALPHABET + c] as number;
      if (next < 0) dfa[slot] = viaFail;
      else {
        fail[next] = viaFail;
        queue.push(next);
      }
    }
  }
  return { dfa, outputs };
}

/** Caseless sets: an upper-case letter takes the same edge as its lower-case twin. */
function foldColumns(table: Int32Array): void {
  for (let row = 0; row < table.length; row += ALPHABET)
    for (let c = 65; c <= 90; c++) table[row + c] = table[row + c + 32] as number;
}

function walk(table: Int32Array, ends: Uint8Array, text: string, backwards: boolean): boolean {
  let state = 0;
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(backwards ? text.length - 1 - k : k);
    state = table[state * ALPHABET + (c > 255 ? OTHER : c)] as number;
    if (state < 0) return false;
    if (ends[state] === 1) return true;
  }
  return false;
}
