import { hexByte, hexValue, isHex, isHexRun, isOctal, lowByteOfWide } from './hex.js';

/** `jsDecode`: JavaScript escapes (`\uHHHH`, `\xHH`, octal, `\n` …), as ModSecurity v2 decodes them. */
export function jsDecode(input: string): string {
  if (input.indexOf('\\') < 0) return input;
  const n = input.length;
  let out = '';
  let i = 0;
  while (i < n) {
    if (input.charCodeAt(i) !== 92 /* \ */) {
      out += input[i++];
      continue;
    }
    const next = input.charCodeAt(i + 1);
    if (next === 117 /* u */ && isHexRun(input, i + 2, 4)) {
      out += String.fromCharCode(lowByteOfWide(input, i + 2));
      i += 6;
    } else if (next === 120 /* x */ && isHexRun(input, i + 2, 2)) {
      out += String.fromCharCode(hexByte(input, i + 2));
      i += 4;
    } else if (i + 1 < n && isOctal(next)) {
      let digits = octalRun(input, i + 1);
      if (digits.length === 3 && digits.charCodeAt(0) > 51 /* '3' */) digits = digits.slice(0, 2);
      out += String.fromCharCode(Number.parseInt(digits, 8) & 0xff);
      i += 1 + digits.length;
    } else if (i + 1 < n) {
      out += SIMPLE_ESCAPES[input[i + 1] as string] ?? input[i + 1];
      i += 2;
    } else {
      out += input.slice(i);
      i = n;
    }
  }
  return out;
}

/** `escapeSeqDecode`: ANSI C escapes (`\n`, `\xHH`, `\OOO`, `\\` …), as ModSecurity v2 decodes them. */
export function escapeSeqDecode(input: string): string {
  if (input.indexOf('\\') < 0) return input;
  const n = input.length;
  let out = '';
  let i = 0;
  while (i < n) {
    if (input.charCodeAt(i) !== 92 || i + 1 >= n) {
      out += input[i++];
      continue;
    }
    const next = input[i + 1] as string;
    const simple = C_ESCAPES[next];
    if (simple !== undefined) {
      out += simple;
      i += 2;
    } else if ((next === 'x' || next === 'X') && isHexRun(input, i + 2, 2)) {
      out += String.fromCharCode(hexByte(input, i + 2));
      i += 4;
    } else if (isOctal(next.charCodeAt(0))) {
      const digits = octalRun(input, i + 1);
      out += String.fromCharCode(Number.parseInt(digits, 8) & 0xff);
      i += 1 + digits.length;
    } else {
      out += next;
      i += 2;
    }
  }
  return out;
}

/** `cssDecode`: CSS 2 escapes (`\HHHHHH ` and `\c`), as ModSecurity v2 decodes them. */
export function cssDecode(input: string): string {
  if (input.indexOf('\\') < 0) return input;
  const n = input.length;
  let out = '';
  let i = 0;
  while (i < n) {
    if (input.charCodeAt(i) !== 92) {
      out += input[i++];
      continue;
    }
    if (i + 1 >= n) break;
    i++;
    let j = 0;
    while (j < 6 && i + j < n && isHex(input.charCodeAt(i + j))) j++;
    if (j > 0) {
      let byte = j === 1 ? hexValue(input.charCodeAt(i)) : hexByte(input, i + j - 2);
      const fullCheck =
        j === 4 || (j === 5 && input[i] === '0') || (j === 6 && input[i] === '0' && input[i + 1] === '0');
      if (
        fullCheck &&
        byte > 0 &&
        byte < 0x5f &&
        (input.charCodeAt(i + j - 3) | 0x20) === 102 &&
        (input.charCodeAt(i + j - 4) | 0x20) === 102
      )
        byte += 0x20;
      out += String.fromCharCode(byte);
      if (i + j < n && isCSpace(input.charCodeAt(i + j))) j++;
      i += j;
    } else if (input[i] === '\n') i++;
    else out += input[i++];
  }
  return out;
}

/** `sqlHexDecode`: `0x414243` becomes `ABC` (MySQL hex literals). */
export function sqlHexDecode(input: string): string {
  if (input.indexOf('0x') < 0 && input.indexOf('0X') < 0) return input;
  const n = input.length;
  let out = '';
  let i = 0;
  while (i < n) {
    if (input[i] === '0' && (input[i + 1] === 'x' || input[i + 1] === 'X') && isHexRun(input, i + 2, 2)) {
      i += 2;
      while (i + 1 < n && isHex(input.charCodeAt(i)) && isHex(input.charCodeAt(i + 1))) {
        out += String.fromCharCode(hexByte(input, i));
        i += 2;
      }
    } else out += input[i++];
  }
  return out;
}

/** Up to three octal digits starting at `at`. */
function octalRun(s: string, at: number): string {
  let j = 0;
  while (j < 3 && at + j < s.length && isOctal(s.charCodeAt(at + j))) j++;
  return s.slice(at, at + j);
}

export function isCSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

const C_ESCAPES: Readonly<Record<string, string>> = { ...SIMPLE_ESCAPES, '\\': '\\', '?': '?', "'": "'", '"': '"' };
