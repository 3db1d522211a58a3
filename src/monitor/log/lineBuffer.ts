/**
 * The packet log's output as bytes: lines are written straight into a large buffer (digits,
 * padding and text byte by byte), handed on a quarter megabyte at a time. No string is built
 * per line, nor joined, nor encoded again: a line becomes a string only when something keeps
 * it (a connection's evidence), in one copy off the bytes.
 *
 * The commonest fields are written by the `put…` functions below into a span the writer asks
 * for with `reserve` and ends with `advance`: one bounds check per span, not per field, and the
 * position kept in a local rather than in the object.
 */
/** What a LineBuffer's field holds before its constructor gives it its buffer. */
const NO_BYTES = Buffer.alloc(0);

export class LineBuffer {
  /** How full the buffer gets before `onFull` receives it. */
  static readonly BATCH = 1 << 18;
  #buf: Buffer = NO_BYTES;
  #at = 0;
  readonly #onFull: (chunk: Buffer, release: () => void) => void;
  /** Buffers whose chunks were written out, to be filled again (see `onFull`). */
  readonly #spare: Buffer[] = [];

  /**
   * `onFull` gets each full batch, to write out; the buffer is not written again after it is
   * handed over, unless `release` is called once the chunk's bytes are no longer needed (after
   * the write), which lets the buffer be filled again instead of a new one being allocated.
   */
  constructor(onFull: (chunk: Buffer, release: () => void) => void = () => {}) {
    this.#onFull = onFull;
    // Written a second time here, before any line: V8 takes a field written only once for a
    // constant, and throws away the code optimized on that belief (every writer of lines) at the
    // first hand-over, when the buffer is changed for another.
    this.#buf = Buffer.allocUnsafe(LineBuffer.BATCH * 2);
  }

  /** Bytes written since the last hand-over: where a line starts, for `textFrom`. */
  get length(): number {
    return this.#at;
  }

  #room(n: number): void {
    if (this.#at + n <= this.#buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#at + n));
    this.#buf.copy(grown, 0, 0, this.#at);
    this.#buf = grown;
  }

  /**
   * Room for `n` more bytes: the buffer to `put…` into, from `length` on; `advance` says how far
   * they wrote. The buffer is valid until the next call on this LineBuffer.
   */
  reserve(n: number): Buffer {
    this.#room(n);
    return this.#buf;
  }

  /** The bytes `put…` wrote into the `reserve`d span end at `end`. */
  advance(end: number): void {
    this.#at = end;
  }

  byte(c: number): void {
    this.#room(1);
    this.#buf[this.#at++] = c;
  }

  /** `n` blanks (none when `n` ≤ 0): a column's padding. */
  blanks(n: number): void {
    if (n <= 0) return;
    this.#room(n);
    this.#at = putBlanks(this.#buf, this.#at, n);
  }

  /** A whole number in decimal (what String(n) gives for a safe integer). */
  number(n: number): void {
    this.#room(24);
    this.#at = putNumber(this.#buf, this.#at, n);
  }

  /** `n` as exactly `width` digits, zeros in front (a fraction of a second). */
  zeroPadded(n: number, width: number): void {
    this.#room(width);
    this.#at = putZeroPadded(this.#buf, this.#at, n, width);
  }

  /** Bytes as they are (text encoded once before: see `textBytes`). */
  bytes(b: Uint8Array): void {
    this.#room(b.length);
    this.#at = putBytes(this.#buf, this.#at, b);
  }

  /** Text as UTF-8: ASCII byte by byte, the rest (from the first character above 0x7F) by the encoder. */
  text(s: string): void {
    const n = s.length;
    this.#room(n);
    const b = this.#buf;
    let at = this.#at;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.#at = at;
        this.#utf8(s.slice(i));
        return;
      }
      b[at++] = c;
    }
    this.#at = at;
  }

  #utf8(rest: string): void {
    this.#room(Buffer.byteLength(rest, 'utf8'));
    this.#at += this.#buf.write(rest, this.#at, 'utf8');
  }

  /** The text written from `start` (a `length` taken before) to now. */
  textFrom(start: number): string {
    return this.#buf.toString('utf8', start, this.#at);
  }

  /** End the line; a full batch goes to `onFull`. */
  newline(): void {
    if (this.#at >= this.#buf.length) this.#room(1);
    this.#buf[this.#at++] = 0x0a;
    if (this.#at >= LineBuffer.BATCH) this.flush();
  }

  /** Hand over what is written (nothing when empty). */
  flush(): void {
    if (this.#at === 0) return;
    const full = this.#buf;
    const chunk = full.subarray(0, this.#at);
    const spare = this.#spare.pop();
    this.#buf = spare ?? Buffer.allocUnsafe(LineBuffer.BATCH * 2);
    this.#at = 0;
    let released = false;
    this.#onFull(chunk, () => {
      // Only a buffer of the usual size is kept; one grown for a long line is let go.
      if (released || full.length !== LineBuffer.BATCH * 2 || this.#spare.length >= 4) return;
      released = true;
      this.#spare.push(full);
    });
  }

  /** Forget what is written (a scratch buffer read back line by line). */
  clear(): void {
    this.#at = 0;
  }
}

/**
 * Decimal digits of a non-negative safe integer. Every comparison up to ten digits is made for
 * every number: a comparison first reached at frame 100,000 would find no type feedback and
 * throw away the optimized code of every line writer it is inlined in.
 */
export function digitCount(n: number): number {
  let len =
    1 +
    (n >= 10 ? 1 : 0) +
    (n >= 100 ? 1 : 0) +
    (n >= 1000 ? 1 : 0) +
    (n >= 10000 ? 1 : 0) +
    (n >= 100000 ? 1 : 0) +
    (n >= 1000000 ? 1 : 0) +
    (n >= 10000000 ? 1 : 0) +
    (n >= 100000000 ? 1 : 0) +
    (n >= 1000000000 ? 1 : 0);
  if (n >= 1e10) for (let p = 1e10; n >= p; p *= 10) len++;
  return len;
}

/** '00' to '99' as pairs of ASCII digits: two digits per division rather than one. */
const DIGIT_PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  DIGIT_PAIRS[2 * i] = 0x30 + Math.floor(i / 10);
  DIGIT_PAIRS[2 * i + 1] = 0x30 + (i % 10);
}

/** 10^8: a safe integer splits into parts below it, each worked out in 32-bit arithmetic. */
const E8 = 100_000_000;

/** A non-negative safe integer in decimal at `at`; returns the end. */
export function putDecimal(b: Uint8Array, at: number, n: number): number {
  if (n <= 0x7fffffff) return putSmall(b, at, n);
  // Above 2^31 (a time stamp option, a large counter): the low eight digits, then the rest.
  const high = Math.floor(n / E8);
  const end = putDecimal(b, at, high);
  return putZeroPadded(b, end, n - high * E8, 8);
}

/** A whole number from 0 to 2^31 − 1 in decimal at `at`; returns the end. */
function putSmall(b: Uint8Array, at: number, n: number): number {
  const end = at + digitCount(n);
  let i = end;
  while (n >= 100) {
    const q = (n / 100) | 0;
    const pair = (n - q * 100) << 1;
    b[--i] = DIGIT_PAIRS[pair + 1] as number;
    b[--i] = DIGIT_PAIRS[pair] as number;
    n = q;
  }
  if (n >= 10) {
    b[--i] = DIGIT_PAIRS[(n << 1) + 1] as number;
    b[--i] = DIGIT_PAIRS[n << 1] as number;
  } else b[--i] = 0x30 + n;
  return end;
}

/** `n` (non-negative) as exactly `width` digits, zeros in front; returns the end. */
export function putZeroPadded(b: Uint8Array, at: number, n: number, width: number): number {
  const end = at + width;
  // A fraction of a second is under 2^31: integer division by `| 0`, half the cost of Math.floor.
  if (n <= 0x7fffffff) {
    let i = end;
    for (; i - at >= 2; ) {
      const q = (n / 100) | 0;
      const pair = (n - q * 100) << 1;
      b[--i] = DIGIT_PAIRS[pair + 1] as number;
      b[--i] = DIGIT_PAIRS[pair] as number;
      n = q;
    }
    if (i > at) b[--i] = 0x30 + n - ((n / 10) | 0) * 10;
    return end;
  }
  for (let i = end; i > at; ) {
    const q = Math.floor(n / 10);
    b[--i] = 0x30 + (n - q * 10);
    n = q;
  }
  return end;
}

/** `n` blanks (none when `n` ≤ 0); returns the end. */
export function putBlanks(b: Uint8Array, at: number, n: number): number {
  for (let i = 0; i < n; i++) b[at++] = 0x20;
  return at;
}

/** ` → `, as UTF-8; returns the end. */
export function putArrow(b: Uint8Array, at: number): number {
  b[at] = 0x20;
  b[at + 1] = 0xe2;
  b[at + 2] = 0x86;
  b[at + 3] = 0x92;
  b[at + 4] = 0x20;
  return at + 5;
}

/** Bytes copied as they are; returns the end. */
export function putBytes(b: Uint8Array, at: number, bytes: Uint8Array): number {
  const n = bytes.length;
  for (let i = 0; i < n; i++) b[at + i] = bytes[i] as number;
  return at + n;
}

/** Fixed text (ASCII or not) as its UTF-8 bytes, encoded once: for `bytes` and `putBytes`. */
export function textBytes(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'utf8'));
}

/** ASCII text at `at`; returns the end, or -1 at a character above ASCII (write it with `text` then). */
export function putAscii(b: Uint8Array, at: number, s: string): number {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return -1;
    b[at + i] = c;
  }
  return at + n;
}

/** Any number as String(n) writes it (a non-negative safe integer fast); at most 24 bytes; returns the end. */
export function putNumber(b: Uint8Array, at: number, n: number): number {
  // A whole number below 2^32 (a port, a relative sequence number, a window): one test.
  if (n >>> 0 === n) return putDecimal(b, at, n);
  if (n >= 0 && n <= Number.MAX_SAFE_INTEGER && Math.floor(n) === n) return putDecimal(b, at, n);
  return putAscii(b, at, String(n));
}
