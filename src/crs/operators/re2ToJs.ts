/**
 * RE2 syntax, as CRS writes it, into the JavaScript syntax V8's linear-time engine accepts —
 * or null when a construct does not translate exactly (then re2js runs the pattern). That
 * engine knows no `i` flag, so case-insensitivity is spelled out: `a` becomes `[aA]` and a class
 * gains the other case of its ASCII letters, as RE2's case folding would. Differences handled:
 * RE2's `\s` is `[\t\n\f\r ]` (JavaScript's also holds \v, NBSP and Unicode spaces); `\z`/`\A`;
 * `\x{HH}`. Refused: inline flags other than a leading `(?i)`/`(?s)`, `\Q…\E`, POSIX and
 * Unicode classes, named groups, `\S` inside a class, code points beyond a byte, and Latin-1
 * letters under `(?i)` (RE2 folds them, this translation would not).
 */
const SPACE = '\\t\\n\\f\\r ';

export function re2ToJs(pattern: string): { source: string; flags: string } | null {
  let p = pattern;
  let caseless = false;
  const lead = /^\(\?([is]+)\)/.exec(p);
  if (lead !== null) {
    caseless = (lead[1] as string).includes('i');
    p = p.slice(lead[0].length);
  }
  if (caseless && /[\xc0-\xff]|\\x\{?[c-fC-F][0-9a-fA-F]/.test(p)) return null;
  let out = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i] as string;
    if (c === '[') {
      const cls = translateClass(p, i, caseless);
      if (cls === null) return null;
      out += cls.text;
      i = cls.end;
    } else if (c === '\\') {
      const esc = readEscape(p, i);
      if (esc === null) return null;
      i = esc.end;
      if (esc.kind === 'char') out += caseless ? caseClass(esc.code, esc.text) : esc.text;
      else if (esc.kind === 'space') out += esc.negated ? `[^${SPACE}]` : `[${SPACE}]`;
      else out += esc.text;
    } else if (c === '(' && p[i + 1] === '?' && p[i + 2] !== ':') return null;
    else out += caseless && isAsciiLetter(c.charCodeAt(0)) ? caseClass(c.charCodeAt(0), c) : c;
  }
  return { source: out, flags: 's' };
}

type Escape =
  | { kind: 'char'; code: number; text: string; end: number }
  | { kind: 'space'; negated: boolean; end: number }
  /** A class or an assertion copied as is (\d \w \b …), or translated (\z \A). */
  | { kind: 'other'; text: string; end: number };

const CONTROL: Readonly<Record<string, number>> = { n: 10, r: 13, t: 9, f: 12, v: 11, a: 7 };

function readEscape(p: string, at: number): Escape | null {
  const e = p[at + 1];
  if (e === undefined) return null;
  if (e === 's' || e === 'S') return { kind: 'space', negated: e === 'S', end: at + 1 };
  if (e === 'x') {
    if (p[at + 2] === '{') {
      const close = p.indexOf('}', at + 3);
      const hex = close < 0 ? '' : p.slice(at + 3, close);
      if (!/^[0-9a-fA-F]{1,2}$/.test(hex)) return null;
      const code = Number.parseInt(hex, 16);
      return { kind: 'char', code, text: hexEscape(code), end: close };
    }
    const hex = p.slice(at + 2, at + 4);
    if (!/^[0-9a-fA-F]{2}$/.test(hex)) return null;
    const code = Number.parseInt(hex, 16);
    return { kind: 'char', code, text: hexEscape(code), end: at + 3 };
  }
  const control = CONTROL[e];
  if (control !== undefined) return { kind: 'char', code: control, text: hexEscape(control), end: at + 1 };
  if (e === 'z') return { kind: 'other', text: '$', end: at + 1 };
  if (e === 'A') return { kind: 'other', text: '^', end: at + 1 };
  if ('dDwWbB'.includes(e)) return { kind: 'other', text: `\\${e}`, end: at + 1 };
  // Any other escaped ASCII punctuation is that character, in both dialects.
  if (/[!-/:-@[-`{-~]/.test(e)) return { kind: 'char', code: e.charCodeAt(0), text: `\\${e}`, end: at + 1 };
  return null;
}

function translateClass(p: string, at: number, caseless: boolean): { text: string; end: number } | null {
  let i = at + 1;
  let text = '[';
  if (p[i] === '^') {
    text += '^';
    i++;
  }
  const ranges: Array<[number, number]> = [];
  let first = true;
  for (; i < p.length; i++) {
    const c = p[i] as string;
    if (c === ']' && !first) return { text: `${text + counterparts(ranges, caseless)}]`, end: i };
    first = false;
    if (c === '[' && p[i + 1] === ':') return null;
    const lo = readClassChar(p, i);
    if (lo === null) return null;
    if (lo.kind === 'space') {
      if (lo.negated) return null;
      text += SPACE;
      i = lo.end;
      continue;
    }
    if (lo.kind === 'other') {
      text += lo.text;
      i = lo.end;
      continue;
    }
    i = lo.end;
    if (p[i + 1] === '-' && p[i + 2] !== undefined && p[i + 2] !== ']') {
      const hi = readClassChar(p, i + 2);
      if (hi === null || hi.kind !== 'char' || hi.code < lo.code) return null;
      text += `${lo.text}-${hi.text}`;
      ranges.push([lo.code, hi.code]);
      i = hi.end;
    } else {
      text += lo.text;
      ranges.push([lo.code, lo.code]);
    }
  }
  return null;
}

function readClassChar(p: string, at: number): Escape | null {
  const c = p[at] as string;
  if (c === '\\') return readEscape(p, at);
  const code = c.charCodeAt(0);
  // `]`, `[`, `^` and `-` are escaped so that the copy reads the same wherever it lands.
  return { kind: 'char', code, text: /[\][^\-\\]/.test(c) ? `\\${c}` : c, end: at };
}

/** The other case of every ASCII letter a class holds, as extra ranges. */
function counterparts(ranges: ReadonlyArray<[number, number]>, caseless: boolean): string {
  if (!caseless) return '';
  let out = '';
  for (const [lo, hi] of ranges) {
    for (const [from, to, shift] of [
      [65, 90, 32],
      [97, 122, -32],
    ] as const) {
      const a = Math.max(lo, from);
      const b = Math.min(hi, to);
      if (a <= b) out += a === b ? hexEscape(a + shift) : `${hexEscape(a + shift)}-${hexEscape(b + shift)}`;
    }
  }
  return out;
}

function caseClass(code: number, text: string): string {
  if (!isAsciiLetter(code)) return text;
  return `[${hexEscape(code)}${hexEscape(code ^ 0x20)}]`;
}

function isAsciiLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

function hexEscape(code: number): string {
  return `\\x${code.toString(16).padStart(2, '0')}`;
}
