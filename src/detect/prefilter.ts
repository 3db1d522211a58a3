/**
 * What a regex cannot match without, found at compile time so that the engine can skip the
 * regex (and the whole rule) for requests that contain none of it — Coraza's `rx` prefilter
 * and `minLen` ideas:
 * - required literals: "any of these literals occurs in every match", or null when no literal
 *   of at least `MIN_LITERAL` characters is certain;
 * - the minimum match length.
 * Conservative by construction: a construct the analyser does not understand only ever ends a
 * literal run, so a derived prefilter never rejects a value the regex matches.
 */
export const MIN_LITERAL = 3;
/** Literal sets larger than this are not expanded (a class like [a-z] is just "one character"). */
const MAX_SET = 32;
/** Copies of a repeated item joined into one literal, at most. */
const MAX_REPEAT = 8;

/**
 * `set`: one character out of a few (a literal or a small class); `other`: anything else of
 * width 0 (an assertion) or 1 (a large class, `.`, `\d` …).
 */
type Item = { kind: 'set'; chars: string[] } | { kind: 'group'; alt: Quantified[][] } | { kind: 'other'; width: 0 | 1 };
interface Quantified {
  item: Item;
  /** The fewest times the item must occur. */
  min: number;
  /** Whether it may occur more than `min` times. */
  repeats: boolean;
}

function parse(pattern: string): Quantified[][] | null {
  try {
    return new Parser(pattern.replace(/^\(\?[a-zA-Z]+\)/, '')).alternation();
  } catch {
    return null;
  }
}

export function requiredLiterals(pattern: string, caseless = false, minLiteral = MIN_LITERAL): string[] | null {
  const parsed = parse(pattern);
  const set = parsed === null ? null : altLiterals(parsed);
  if (set === null || shortest(set) < minLiteral) return null;
  // The automaton works on latin1 and folds only ASCII case: a literal beyond latin1, or a
  // non-ASCII one in a case-insensitive regex, cannot serve as a prefilter.
  const limit = caseless || /\(\?[a-zA-Z]*i/.test(pattern) ? 127 : 255;
  return set.every((l) => [...l].every((c) => c.charCodeAt(0) <= limit)) ? set : null;
}

/**
 * For each top-level alternative of the regex, every literal set it cannot match without
 * (each set read as "one of these"), including single characters. Lets `rules lint` check
 * that a hand-written prefilter admits every alternative.
 */
export function alternativeCandidates(pattern: string): string[][][] {
  return (parse(pattern) ?? []).map((seq) => seqCandidates(seq));
}

/** The fewest characters any match needs: values shorter than this skip the regex. 0 when unknown. */
export function minMatchLength(pattern: string): number {
  const parsed = parse(pattern);
  return parsed === null ? 0 : altMin(parsed);
}

function altMin(alt: Quantified[][]): number {
  return Math.min(...alt.map((seq) => seq.reduce((sum, q) => sum + q.min * itemMin(q.item), 0)));
}

function itemMin(item: Item): number {
  if (item.kind === 'set') return 1;
  if (item.kind === 'other') return item.width;
  return altMin(item.alt);
}

/** The best required set of each branch, united; null when some branch has none. */
function altLiterals(alt: Quantified[][]): string[] | null {
  const out: string[] = [];
  for (const seq of alt) {
    let best: string[] | null = null;
    for (const c of seqCandidates(seq)) if (best === null || better(c, best)) best = c;
    if (best === null) return null;
    out.push(...best);
  }
  return minimal(out);
}

/** Drop literals that contain another of the set: for "one of these occurs" they add nothing. */
function minimal(set: readonly string[]): string[] {
  const unique = [...new Set(set)];
  return unique.filter((s) => !unique.some((t) => t !== s && s.includes(t)));
}

function better(a: readonly string[], b: readonly string[]): boolean {
  const sa = shortest(a);
  const sb = shortest(b);
  return sa > sb || (sa === sb && a.length < b.length);
}

/**
 * Every literal set a sequence requires. Consecutive required items whose matches form a small
 * finite set (characters, small classes, groups of literals) are concatenated into one run;
 * assertions do not interrupt a run; anything else ends it.
 */
function seqCandidates(seq: Quantified[]): string[][] {
  const candidates: string[][] = [];
  let run: string[] = [''];
  const flush = () => {
    if (run.every((s) => s !== '')) candidates.push(minimal(run));
    run = [''];
  };
  for (const q of seq) {
    if (q.item.kind === 'other' && q.item.width === 0) continue;
    const once = q.min >= 1 ? exactSet(q.item) : null;
    // An item required n times is required as n copies in a row (`\.{2,3}`: `..`).
    const exact = once !== null && q.min > 1 ? (repeated(once, q.min) ?? once) : once;
    if (exact === null) {
      flush();
      if (q.min >= 1 && q.item.kind === 'group') {
        const inner = altLiterals(q.item.alt);
        if (inner !== null) candidates.push(inner);
      }
      continue;
    }
    const joined = cross(run, exact);
    if (joined === null) {
      flush();
      run = exact;
    } else run = joined;
    // A repeated item is required once; what follows it is not adjacent to that first copy.
    if (q.repeats || q.min > 1) flush();
  }
  flush();
  return candidates;
}

/** The strings an item matches, when they are few and fixed; null otherwise. */
function exactSet(item: Item): string[] | null {
  if (item.kind === 'set') return item.chars;
  if (item.kind === 'other') return null;
  const out: string[] = [];
  for (const seq of item.alt) {
    let strings: string[] | null = [''];
    for (const q of seq) {
      if (q.item.kind === 'other' && q.item.width === 0) continue;
      const inner = q.min === 1 && !q.repeats ? exactSet(q.item) : null;
      strings = inner === null || strings === null ? null : cross(strings, inner);
      if (strings === null) return null;
    }
    out.push(...(strings as string[]));
    if (out.length > MAX_SET) return null;
  }
  return out.length === 0 ? null : [...new Set(out)];
}

/** `set` `times` times in a row (at most MAX_REPEAT: a prefix of a required run is required too). */
function repeated(set: readonly string[], times: number): string[] | null {
  let out: string[] | null = [...set];
  for (let i = 1; i < Math.min(times, MAX_REPEAT) && out !== null; i++) out = cross(out, set);
  return out;
}

function cross(a: readonly string[], b: readonly string[]): string[] | null {
  if (a.length * b.length > MAX_SET) return null;
  return a.flatMap((x) => b.map((y) => x + y));
}

function shortest(set: readonly string[]): number {
  return set.reduce((m, s) => Math.min(m, s.length), Number.POSITIVE_INFINITY);
}

const CLASS_ESCAPES = new Set([...'dDwWsSbBAz']);
const ZERO_WIDTH_ESCAPES = new Set([...'bBAz']);
const CONTROL_ESCAPES: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', f: '\f', v: '\v' };
const ONE: Item = { kind: 'other', width: 1 };
const ZERO: Item = { kind: 'other', width: 0 };
const char = (c: string): Item => ({ kind: 'set', chars: [c] });

/** A small recursive-descent reader for the RE2 syntax the rule packs use. */
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
    while (this.i < this.s.length && this.s[this.i] !== '|' && this.s[this.i] !== ')')
      seq.push(this.quantifier(this.atom()));
    return seq;
  }

  private atom(): Item {
    const c = this.s[this.i++] as string;
    if (c === '\\') return this.escape();
    if (c === '[') return this.charClass();
    if (c === '(') {
      if (this.s[this.i] === '?') {
        const flags = /^\?[a-zA-Z]*(:|\))|^\?P?<[a-zA-Z_][a-zA-Z0-9_]*>/.exec(this.s.slice(this.i));
        if (!flags) throw new Error('unsupported group');
        this.i += flags[0].length;
        if (flags[0].endsWith(')')) return ZERO;
      }
      const alt = this.alternation();
      if (this.s[this.i++] !== ')') throw new Error('unbalanced');
      return { kind: 'group', alt };
    }
    if (c === '.') return ONE;
    if (c === '^' || c === '$') return ZERO;
    return char(c);
  }

  /** One escaped character, as a literal when it is one. */
  private escapedChar(): string | Item {
    const c = this.s[this.i++];
    if (c === undefined) throw new Error('trailing backslash');
    if (c === 'x') {
      const wide = /^\{([0-9a-fA-F]{1,6})\}/.exec(this.s.slice(this.i));
      const m = wide ?? /^([0-9a-fA-F]{2})/.exec(this.s.slice(this.i));
      if (!m) throw new Error('bad \\x escape');
      this.i += m[0].length;
      return String.fromCodePoint(Number.parseInt(m[1] as string, 16));
    }
    if (c === 'p' || c === 'P') {
      const name = /^(\{\^?[A-Za-z_]+\}|[A-Za-z])/.exec(this.s.slice(this.i));
      if (!name) throw new Error('bad unicode class');
      this.i += name[0].length;
      return ONE;
    }
    const control = CONTROL_ESCAPES[c];
    if (control !== undefined) return control;
    if (/[0-9a-zA-Z]/.test(c)) {
      if (!CLASS_ESCAPES.has(c)) throw new Error(`unsupported escape \\${c}`);
      return ZERO_WIDTH_ESCAPES.has(c) ? ZERO : ONE;
    }
    return c;
  }

  private escape(): Item {
    const e = this.escapedChar();
    return typeof e === 'string' ? char(e) : e;
  }

  /** `[...]`: a small set of characters when it lists a few, otherwise one unknown character. */
  private charClass(): Item {
    let negated = false;
    if (this.s[this.i] === '^') {
      negated = true;
      this.i++;
    }
    const chars: string[] = [];
    let exact = !negated;
    let first = true;
    while (this.i < this.s.length && (this.s[this.i] !== ']' || first)) {
      first = false;
      if (this.s.startsWith('[:', this.i)) {
        const end = this.s.indexOf(':]', this.i);
        if (end < 0) throw new Error('bad posix class');
        this.i = end + 2;
        exact = false;
        continue;
      }
      const lo = this.classChar();
      if (this.s[this.i] === '-' && this.s[this.i + 1] !== ']' && this.i + 1 < this.s.length) {
        this.i++;
        const hi = this.classChar();
        if (typeof lo !== 'string' || typeof hi !== 'string') throw new Error('bad range');
        const from = lo.codePointAt(0) as number;
        const to = hi.codePointAt(0) as number;
        if (to - from + 1 > MAX_SET) exact = false;
        else for (let cp = from; cp <= to; cp++) chars.push(String.fromCodePoint(cp));
        continue;
      }
      if (typeof lo === 'string') chars.push(lo);
      else exact = false;
    }
    if (this.s[this.i++] !== ']') throw new Error('unterminated class');
    return exact && chars.length > 0 && chars.length <= MAX_SET ? { kind: 'set', chars: [...new Set(chars)] } : ONE;
  }

  private classChar(): string | Item {
    const c = this.s[this.i++] as string;
    return c === '\\' ? this.escapedChar() : c;
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
      if (!m) return { item, min: 1, repeats: false };
      this.i += m[0].length;
      min = Number(m[1]);
      repeats = m[2] !== undefined ? m[3] === '' || Number(m[3]) > min : false;
    } else return { item, min: 1, repeats: false };
    if (this.s[this.i] === '?' || this.s[this.i] === '+') this.i++;
    return { item, min, repeats };
  }
}
