/**
 * JSON written straight into a growing buffer as UTF-8, byte by byte, exactly as
 * `Buffer.from(JSON.stringify(value))` would encode it, with no string made on the way: a log
 * worker writes each threat line's event this way (./threatJson.ts). Building the text as
 * strings first (pieces, escaped copies, then the flat copy a buffer write needs) allocated
 * several times the event's size on every line.
 */

const QUOTE = 34;
const BACKSLASH = 92;
/** JSON.stringify's short escapes, by character code (0 where it writes \u00XX). */
const SHORT_ESCAPE = new Uint8Array(32);
SHORT_ESCAPE[8] = 98; // \b
SHORT_ESCAPE[9] = 116; // \t
SHORT_ESCAPE[10] = 110; // \n
SHORT_ESCAPE[12] = 102; // \f
SHORT_ESCAPE[13] = 114; // \r
const HEX = Buffer.from('0123456789abcdef', 'latin1');
/** Up to this many characters, text is copied by a loop in JS; longer, by one native call. */
const SHORT = 48;
/** What `escaped` must write otherwise than as it is: quotes, backslashes, control characters, anything not ASCII. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what JSON escapes
const NEEDS_CARE = /["\\\u0000-\u001f\u0080-\uffff]/;

/** The bytes of ASCII text, made once (the fixed parts of a document). */
export function asciiBytes(text: string): Uint8Array {
  return Buffer.from(text, 'latin1');
}

export class JsonBytes {
  #buf: Buffer;
  #used = 0;

  constructor(initialBytes: number) {
    // allocUnsafeSlow: a buffer of its own (not a slice of Node's pool), so it can be transferred.
    this.#buf = Buffer.allocUnsafeSlow(initialBytes);
  }

  /** Bytes written so far: where the next one goes. */
  get used(): number {
    return this.#used;
  }

  /** What was written (a view of the buffer, which is the writer's own: transfer it, then write no more). */
  written(): Buffer {
    return this.#buf.subarray(0, this.#used);
  }

  /** Leave `n` bytes as they are (room filled in later). */
  skip(n: number): void {
    this.#room(n);
    this.#used += n;
  }

  /** Fixed bytes (asciiBytes). */
  bytes(b: Uint8Array): void {
    const n = b.length;
    this.#room(n);
    const buf = this.#buf;
    let at = this.#used;
    // A document's fixed pieces are short: a loop costs less than a call into TypedArray#set.
    if (n <= SHORT) for (let i = 0; i < n; i++) buf[at++] = b[i] as number;
    else {
      buf.set(b, at);
      at += n;
    }
    this.#used = at;
  }

  /** Text known to be ASCII and to need no escape (a number, a date, a base64url key), as it is. */
  ascii(text: string): void {
    const n = text.length;
    this.#room(n);
    if (n > SHORT) {
      this.#used += this.#buf.write(text, this.#used, 'latin1');
      return;
    }
    // Short text: a loop costs less than Buffer#write's way into C++ and back.
    const buf = this.#buf;
    let at = this.#used;
    for (let i = 0; i < n; i++) buf[at++] = text.charCodeAt(i);
    this.#used = at;
  }

  /** A number as JSON.stringify writes it. */
  number(n: number): void {
    this.ascii(Number.isFinite(n) ? String(n) : 'null');
  }

  /** A JSON string: `text` quoted and escaped. */
  string(text: string): void {
    this.#room(1);
    this.#buf[this.#used++] = QUOTE;
    this.escaped(text);
    this.#room(1);
    this.#buf[this.#used++] = QUOTE;
  }

  /** `text` escaped as inside a JSON string, without the quotes (a string written in parts). */
  escaped(text: string): void {
    const n = text.length;
    if (n <= SHORT) {
      if (this.#plainShort(text)) return;
    } else if (!NEEDS_CARE.test(text)) {
      // A long string, ASCII with nothing to escape (nearly every one): copied in one call.
      this.ascii(text);
      return;
    }
    // At most six bytes a code unit (\u00XX, \udXXX); a pair's four UTF-8 bytes are two units' worth.
    this.#room(n * 6);
    const buf = this.#buf;
    let at = this.#used;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x80) {
        if (c >= 0x20 && c !== QUOTE && c !== BACKSLASH) buf[at++] = c;
        else at = escapeAscii(buf, at, c);
      } else if (c < 0x800) {
        buf[at++] = 0xc0 | (c >> 6);
        buf[at++] = 0x80 | (c & 0x3f);
      } else if (c < 0xd800 || c > 0xdfff) {
        buf[at++] = 0xe0 | (c >> 12);
        buf[at++] = 0x80 | ((c >> 6) & 0x3f);
        buf[at++] = 0x80 | (c & 0x3f);
      } else {
        const next = i + 1 < n ? text.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          const p = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
          buf[at++] = 0xf0 | (p >> 18);
          buf[at++] = 0x80 | ((p >> 12) & 0x3f);
          buf[at++] = 0x80 | ((p >> 6) & 0x3f);
          buf[at++] = 0x80 | (p & 0x3f);
          i++;
        } else at = unicodeEscape(buf, at, c); // A lone surrogate: JSON.stringify writes \udXXX.
      }
    }
    this.#used = at;
  }

  /**
   * Short text copied as it is, checked as it goes: true when it was plain ASCII with nothing
   * to escape (what nearly every short string is), false, with nothing written, otherwise.
   */
  #plainShort(text: string): boolean {
    const n = text.length;
    this.#room(n);
    const buf = this.#buf;
    const start = this.#used;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x20 || c >= 0x80 || c === QUOTE || c === BACKSLASH) return false;
      buf[start + i] = c;
    }
    this.#used = start + n;
    return true;
  }

  /** Room for `n` more bytes: the buffer doubles (at least) when it is short. */
  #room(n: number): void {
    const need = this.#used + n;
    if (need <= this.#buf.length) return;
    const larger = Buffer.allocUnsafeSlow(Math.max(need, 2 * this.#buf.length));
    this.#buf.copy(larger, 0, 0, this.#used);
    this.#buf = larger;
  }
}

/** A quote, a backslash or a control character, escaped as JSON.stringify does. */
function escapeAscii(buf: Buffer, at: number, c: number): number {
  buf[at++] = BACKSLASH;
  if (c === QUOTE || c === BACKSLASH) {
    buf[at++] = c;
    return at;
  }
  const short = SHORT_ESCAPE[c] as number;
  if (short !== 0) {
    buf[at++] = short;
    return at;
  }
  return unicodeEscape(buf, at - 1, c);
}

/** `\uXXXX` (lower-case hex) at `at`. */
function unicodeEscape(buf: Buffer, at: number, c: number): number {
  buf[at++] = BACKSLASH;
  buf[at++] = 117; // u
  buf[at++] = HEX[(c >> 12) & 15] as number;
  buf[at++] = HEX[(c >> 8) & 15] as number;
  buf[at++] = HEX[(c >> 4) & 15] as number;
  buf[at++] = HEX[c & 15] as number;
  return at;
}
