/**
 * Literals a regex cannot match without, found at compile time so that the engine can skip
 * the regex (and the whole rule) for requests that contain none of them — Coraza's `rx`
 * prefilter idea. The result is "any of these literals is required", or null when no literal
 * of at least `MIN_LITERAL` characters is certain. Conservative: an unknown construct only
 * ever breaks a literal run, so a derived prefilter never rejects a value the regex matches.
 */
export const MIN_LITERAL = 3;

/** `other` is anything that is not one literal character: a class (width 1) or an assertion (width 0). */
type Item = { kind: 'char'; char: string } | { kind: 'group'; alt: Quantified[][] } | { kind: 'other'; width: 0 | 1 };
interface Quantified {
  item: Item;
  optional: boolean;
  repeats: boolean;
  /** The fewest times the item must occur. */
  min: number;
}

export function requiredLiterals(pattern: string): string[] | null {
  const source = pattern.replace(/^\(\?[a-zA-Z]+\)/, '');
  let parsed: Quantified[][];
  try {
    parsed = new Parser(source).alternation();
  } catch {
    return null;
  }
  const set = altLiterals(parsed);
  return set !== null && shortest(set) >= MIN_LITERAL ? set : null;
}

/**
 * The fewest characters any match needs (Coraza's `minLen`): values shorter than this skip the
 * regex. 0 when unknown.
 */
export function minMatchLength(pattern: string): number {
  try {
    return altMin(new Parser(pattern.replace(/^\(\?[a-zA-Z]+\)/, '')).alternation());
  } catch {
    return 0;
  }
}

function altMin(alt: Quantified[][]): number {
  return Math.min(...alt.map((seq) => seq.reduce((sum, q) => sum + q.min * itemMin(q.item), 0)));
}

function itemMin(item: Item): number {
  if (item.kind === 'char') return 1;
  if (item.kind === 'other') return item.width;
  return altMin(item.alt);
}

function altLiterals(alt: Quantified[][]): string[] | null {
  const out: string[] = [];
  for (const seq of alt) {
    const best = seqLiterals(seq);
    if (best === null) return null;
    out.push(...best);
  }
  return out;
}

function seqLiterals(seq: Quantified[]): string[] | null {
  const candidates: string[][] = [];
  let run = '';
  const flush = () => {
    if (run !== '') candidates.push([run]);
    run = '';
  };
  for (const q of seq) {
    if (q.optional || q.item.kind === 'other') {
      flush();
      continue;
    }
    if (q.item.kind === 'char') {
      run += q.item.char;
      if (q.repeats) flush();
      continue;
    }
    flush();
    const inner = altLiterals(q.item.alt);
    if (inner !== null) candidates.push(inner);
  }
  flush();
  let best: string[] | null = null;
  for (const c of candidates) if (best === null || shortest(c) > shortest(best)) best = c;
  return best;
}

function shortest(set: readonly string[]): number {
  return set.reduce((m, s) => Math.min(m, s.length), Number.POSITIVE_INFINITY);
}

const CLASS_ESCAPES = new Set([...'dDwWsSbBAz']);
const ZERO_WIDTH_ESCAPES = new Set([...'bBAz']);
const CONTROL_ESCAPES: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', f: '\f', v: '\v' };

class Parser {
  private i = 0;
  constructor(private readonly s: string) {}

  alternation(): Quantified[][] {
    const branches: Quantified[][] = [this.sequence()];
    while (this.s[this.i] === '|') {
      this.i++;
      branches.push(this.sequence());
    }
    return branches;
  }

  private sequence(): Quantified[] {
    const seq: Quantified[] = [];
    while (this.i < this.s.length && this.s[this.i] !== '|' && this.s[this.i] !== ')') {
      const item = this.atom();
      seq.push(this.quantifier(item));
    }
    return seq;
  }

  private atom(): Item {
    const c = this.s[this.i++] as string;
    if (c === '\\') return this.escape();
    if (c === '[') {
      this.skipClass();
      return { kind: 'other', width: 1 };
    }
    if (c === '(') {
      if (this.s[this.i] === '?') {
        const flags = /^\?[a-zA-Z]*(:|\))|^\?P?<[a-zA-Z_][a-zA-Z0-9_]*>/.exec(this.s.slice(this.i));
        if (!flags) throw new Error('unsupported group');
        this.i += flags[0].length;
        if (flags[0].endsWith(')')) return { kind: 'other', width: 0 };
      }
      const alt = this.alternation();
      if (this.s[this.i++] !== ')') throw new Error('unbalanced');
      return { kind: 'group', alt };
    }
    if (c === '.') return { kind: 'other', width: 1 };
    if (c === '^' || c === '$') return { kind: 'other', width: 0 };
    return { kind: 'char', char: c };
  }

  private escape(): Item {
    const c = this.s[this.i++];
    if (c === undefined) throw new Error('trailing backslash');
    if (c === 'x') {
      const wide = /^\{[0-9a-fA-F]{1,6}\}/.exec(this.s.slice(this.i));
      if (wide) {
        this.i += wide[0].length;
        return { kind: 'other', width: 1 };
      }
      const m = /^[0-9a-fA-F]{2}/.exec(this.s.slice(this.i));
      if (!m) throw new Error('unsupported \\x');
      this.i += 2;
      return { kind: 'char', char: String.fromCharCode(Number.parseInt(m[0], 16)) };
    }
    if (c === 'p' || c === 'P') {
      const name = /^(\{\^?[A-Za-z_]+\}|[A-Za-z])/.exec(this.s.slice(this.i));
      if (!name) throw new Error('bad unicode class');
      this.i += name[0].length;
      return { kind: 'other', width: 1 };
    }
    if (c === 'Q' || c === 'E' || c === 'C') throw new Error(`unsupported escape \\${c}`);
    const control = CONTROL_ESCAPES[c];
    if (control !== undefined) return { kind: 'char', char: control };
    if (/[0-9a-zA-Z]/.test(c)) {
      if (!CLASS_ESCAPES.has(c)) throw new Error(`unknown escape \\${c}`);
      return { kind: 'other', width: ZERO_WIDTH_ESCAPES.has(c) ? 0 : 1 };
    }
    return { kind: 'char', char: c };
  }

  private skipClass(): void {
    if (this.s[this.i] === '^') this.i++;
    if (this.s[this.i] === ']') this.i++;
    while (this.i < this.s.length && this.s[this.i] !== ']') {
      if (this.s[this.i] === '\\') this.i++;
      else if (this.s.startsWith('[:', this.i)) {
        const end = this.s.indexOf(':]', this.i);
        if (end > 0) this.i = end + 1;
      }
      this.i++;
    }
    if (this.s[this.i++] !== ']') throw new Error('unterminated class');
  }

  private quantifier(item: Item): Quantified {
    const c = this.s[this.i];
    let min = 1;
    let repeats = false;
    if (c === '?' || c === '*' || c === '+') {
      this.i++;
      min = c === '+' ? 1 : 0;
      repeats = c !== '?';
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.s.slice(this.i));
      if (!m) return { item, optional: false, repeats: false, min: 1 };
      this.i += m[0].length;
      min = Number(m[1]);
      repeats = m[2] !== undefined || min > 1;
    } else return { item, optional: false, repeats: false, min: 1 };
    if (this.s[this.i] === '?' || this.s[this.i] === '+') this.i++;
    return { item, optional: min === 0, repeats, min };
  }
}
