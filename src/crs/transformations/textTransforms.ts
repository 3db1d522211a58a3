import { isCSpace } from './escapeDecoding.js';

/**
 * The whitespace, case, comment and null transformations, byte for byte as ModSecurity v2
 * has them: "whitespace" is C's isspace() plus the non-breaking space 0xA0.
 */
function isWhite(c: number): boolean {
  return isCSpace(c) || c === 0xa0;
}

export function lowercase(input: string): string {
  return /[A-Z]/.test(input) ? input.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : input;
}

export function compressWhitespace(input: string): string {
  let out = '';
  let inSpace = false;
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i);
    if (isWhite(c)) {
      if (!inSpace) out += ' ';
      inSpace = true;
    } else {
      out += input[i];
      inSpace = false;
    }
  }
  return out;
}

export function removeWhitespace(input: string): string {
  let out = '';
  for (let i = 0; i < input.length; i++) if (!isWhite(input.charCodeAt(i))) out += input[i];
  return out;
}

export function removeNulls(input: string): string {
  return input.indexOf('\0') < 0 ? input : input.replaceAll('\0', '');
}

export function replaceNulls(input: string): string {
  return input.indexOf('\0') < 0 ? input : input.replaceAll('\0', ' ');
}

/** Each C comment (`/* … *\/`, also an unterminated one) becomes one space. */
export function replaceComments(input: string): string {
  if (input.indexOf('/*') < 0) return input;
  let out = '';
  let inComment = false;
  let i = 0;
  while (i < input.length) {
    if (!inComment) {
      if (input[i] === '/' && input[i + 1] === '*') {
        inComment = true;
        i += 2;
      } else out += input[i++];
    } else if (input[i] === '*' && input[i + 1] === '/') {
      inComment = false;
      i += 2;
      out += ' ';
    } else i++;
  }
  return inComment ? `${out} ` : out;
}

/** Removes the comment markers themselves: `/*`, `*\/`, `--` and `#`. */
export function removeCommentsChar(input: string): string {
  return input.replace(/\/\*|\*\/|--|#/g, '');
}

/**
 * `cmdLine`: what a Windows or Unix shell would make of a command line, for matching command
 * names — escapes and quotes (`\ " ' ^`) go, separators (`, ;` and whitespace) become one
 * space, a space before `/` or `(` goes, and everything is lowercase.
 */
export function cmdLine(input: string): string {
  // A separator is held back until the next character shows whether it survives (it does not
  // before `/` or `(`): deleting it from the output afterwards would copy the output each time.
  let out = '';
  let pending = false;
  for (let i = 0; i < input.length; i++) {
    const ch = input[i] as string;
    switch (ch) {
      case '"':
      case "'":
      case '\\':
      case '^':
        break;
      case ' ':
      case ',':
      case ';':
      case '\t':
      case '\r':
      case '\n':
        pending = true;
        break;
      case '/':
      case '(':
        pending = false;
        out += ch;
        break;
      default:
        if (pending) out += ' ';
        pending = false;
        out += ch >= 'A' && ch <= 'Z' ? ch.toLowerCase() : ch;
    }
  }
  return pending ? `${out} ` : out;
}

export function trimLeft(input: string): string {
  let i = 0;
  while (i < input.length && isWhite(input.charCodeAt(i))) i++;
  return input.slice(i);
}

export function trimRight(input: string): string {
  let j = input.length;
  while (j > 0 && isWhite(input.charCodeAt(j - 1))) j--;
  return input.slice(0, j);
}

export function trim(input: string): string {
  return trimRight(trimLeft(input));
}
