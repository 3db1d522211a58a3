import { type Html5Flags, Html5Tokenizer } from './html5.js';

/**
 * libinjection's XSS detector (libinjection_xss.c v3.9.2, BSD-3-Clause, see
 * LICENSE.libinjection), as ModSecurity's @detectXSS calls it: the input is tokenized as
 * HTML5 from five starting states (text, and inside an attribute value unquoted, single-,
 * double- and back-quoted), and is XSS when a token is a doctype, a dangerous tag, an event
 * handler or dangerous attribute, a script URL in a URL attribute, or a suspicious comment.
 */
export function detectXss(input: string): boolean {
  // Every verdict needs a tag (`<`) or an attribute value (`=`): without either, no state can flag.
  if (input.indexOf('<') < 0 && input.indexOf('=') < 0) return false;
  const states: Html5Flags[] = ['data', 'valueNoQuote', 'valueSingleQuote', 'valueDoubleQuote', 'valueBackQuote'];
  return states.some((state) => isXss(input, state));
}

type AttributeKind = 'none' | 'black' | 'url' | 'style' | 'indirect';

const BLACK_ATTRIBUTES: ReadonlyArray<readonly [string, AttributeKind]> = [
  ['ACTION', 'url'],
  ['ATTRIBUTENAME', 'indirect'],
  ['BY', 'url'],
  ['BACKGROUND', 'url'],
  ['DATAFORMATAS', 'black'],
  ['DATASRC', 'black'],
  ['DYNSRC', 'url'],
  ['FILTER', 'style'],
  ['FORMACTION', 'url'],
  ['FOLDER', 'url'],
  ['FROM', 'url'],
  ['HANDLER', 'url'],
  ['HREF', 'url'],
  ['LOWSRC', 'url'],
  ['POSTER', 'url'],
  ['SRC', 'url'],
  ['STYLE', 'style'],
  ['TO', 'url'],
  ['VALUES', 'url'],
  ['XLINK:HREF', 'url'],
];

const BLACK_TAGS = [
  'APPLET',
  'BASE',
  'COMMENT',
  'EMBED',
  'FRAME',
  'FRAMESET',
  'HANDLER',
  'IFRAME',
  'IMPORT',
  'ISINDEX',
  'LINK',
  'LISTENER',
  'META',
  'NOSCRIPT',
  'OBJECT',
  'SCRIPT',
  'STYLE',
  'VMLFRAME',
  'XML',
  'XSS',
];

/** cstrcasecmp_with_null(A, s) === 0: s without its NUL bytes, uppercased, is exactly A. */
function equalsIgnoringNulls(word: string, s: string): boolean {
  return s.replaceAll('\0', '').replace(/[a-z]+/g, (m) => m.toUpperCase()) === word;
}

/** cstrcasecmp_with_null(A, s, len(A)) === 0: the first len(A) bytes of s, NULs dropped, are A. */
function startsWithIgnoringNulls(word: string, s: string): boolean {
  return equalsIgnoringNulls(word, s.slice(0, word.length));
}

function isBlackTag(s: string): boolean {
  if (s.length < 3) return false;
  if (BLACK_TAGS.some((tag) => equalsIgnoringNulls(tag, s))) return true;
  const head = s.slice(0, 3).toLowerCase();
  return head === 'svg' || head === 'xsl';
}

function blackAttribute(s: string): AttributeKind {
  if (s.length < 2) return 'none';
  if (s.length >= 5) {
    if ((s[0] === 'o' || s[0] === 'O') && (s[1] === 'n' || s[1] === 'N')) return 'black';
    if (startsWithIgnoringNulls('XMLNS', s) || startsWithIgnoringNulls('XLINK', s)) return 'black';
  }
  for (const [name, kind] of BLACK_ATTRIBUTES) if (equalsIgnoringNulls(name, s)) return kind;
  return 'none';
}

/** html_decode_char_at: the character (code) at the start of s, decoding `&#…;`, and its length. */
function decodeCharAt(s: string, at: number, end: number): { code: number; consumed: number } {
  if (at >= end) return { code: -1, consumed: 0 };
  const c = s.charCodeAt(at);
  if (c !== 0x26 || end - at < 2) return { code: c, consumed: 1 };
  if (s[at + 1] !== '#') return { code: 0x26, consumed: 1 };
  const hex = s[at + 2] === 'x' || s[at + 2] === 'X';
  const digitValue = (ch: string | undefined): number => {
    if (ch === undefined) return -1;
    const v = hex ? Number.parseInt(ch, 16) : ch >= '0' && ch <= '9' ? Number(ch) : Number.NaN;
    return Number.isNaN(v) ? -1 : v;
  };
  let i = hex ? 3 : 2;
  let val = digitValue(s[at + i]);
  if (val < 0) return { code: 0x26, consumed: 1 };
  i += 1;
  while (at + i < end) {
    const ch = s[at + i];
    if (ch === ';') return { code: val, consumed: i + 1 };
    const d = digitValue(ch);
    if (d < 0) return { code: val, consumed: i };
    val = val * (hex ? 16 : 10) + d;
    if (val > 0x1000ff) return { code: 0x26, consumed: 1 };
    i += 1;
  }
  return { code: val, consumed: i };
}

/** htmlencode_startswith: s, HTML-decoded, leading blanks and NUL/newline ignored, starts with prefix. */
function decodedStartsWith(prefix: string, s: string): boolean {
  let at = 0;
  let k = 0;
  let first = true;
  while (at < s.length) {
    if (k >= prefix.length) return true;
    const { code, consumed } = decodeCharAt(s, at, s.length);
    at += consumed;
    if (first && code <= 32) continue;
    first = false;
    if (code === 0 || code === 10) continue;
    const c = code >= 0x61 && code <= 0x7a ? code - 0x20 : code;
    if (prefix.charCodeAt(k) !== (c & 0xff)) return false;
    k++;
  }
  return k >= prefix.length;
}

function isBlackUrl(value: string): boolean {
  let i = 0;
  while (i < value.length && (value.charCodeAt(i) <= 32 || value.charCodeAt(i) >= 127)) i++;
  const s = value.slice(i);
  return ['DATA', 'VIEW-SOURCE', 'JAVA', 'VBSCRIPT'].some((p) => decodedStartsWith(p, s));
}

function isXss(input: string, state: Html5Flags): boolean {
  const h5 = new Html5Tokenizer(input, state);
  let attr: AttributeKind = 'none';
  while (h5.next()) {
    const token = h5.tokenText();
    if (h5.tokenType !== 'attrValue') attr = 'none';
    switch (h5.tokenType) {
      case 'doctype':
        return true;
      case 'tagNameOpen':
        if (isBlackTag(token)) return true;
        break;
      case 'attrName':
        attr = blackAttribute(token);
        break;
      case 'attrValue':
        if (attr === 'black' || attr === 'style') return true;
        if (attr === 'url' && isBlackUrl(token)) return true;
        if (attr === 'indirect' && blackAttribute(token) !== 'none') return true;
        attr = 'none';
        break;
      case 'tagComment': {
        if (token.includes('`')) return true;
        const head = token.slice(0, 3).toLowerCase();
        if (token.length > 3 && (head === '[if' || head === 'xml')) return true;
        if (token.length > 5 && (startsWithIgnoringNulls('IMPORT', token) || startsWithIgnoringNulls('ENTITY', token)))
          return true;
        break;
      }
      default:
        break;
    }
  }
  return false;
}
