/**
 * The packet log's output as bytes: lines are written straight into a large buffer (digits,
 * padding and text byte by byte), handed on a quarter megabyte at a time. No string is built
 * per line, nor joined, nor encoded again: a line becomes a string only when something keeps
 * it (a connection's evidence), in one copy off the bytes.
 */
export class LineBuffer {
  /** How full the buffer gets before `onFull` receives it. */
  static readonly BATCH = 1 << 18;
  #buf: Buffer = Buffer.allocUnsafe(LineBuffer.BATCH * 2);
  #at = 0;
  readonly #onFull: (chunk: Buffer) => void;

  /** `onFull` gets each full batch, to write out; the buffer is not written again after it is handed over. */
  constructor(onFull: (chunk: Buffer) => void = () => {}) {
    this.#onFull = onFull;
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

  byte(c: number): void {
    this.#room(1);
    this.#buf[this.#at++] = c;
  }

  /** `n` blanks (none when `n` ≤ 0): a column's padding. */
  blanks(n: number): void {
    if (n <= 0) return;
    this.#room(n);
    this.#buf.fill(0x20, this.#at, this.#at + n);
    this.#at += n;
  }

  /** ` → ` (U+2192 between blanks), the one character above ASCII in most lines, as its UTF-8 bytes. */
  arrow(): void {
    this.#room(5);
    const b = this.#buf;
    const at = this.#at;
    b[at] = 0x20;
    b[at + 1] = 0xe2;
    b[at + 2] = 0x86;
    b[at + 3] = 0x92;
    b[at + 4] = 0x20;
    this.#at = at + 5;
  }

  /** A whole number in decimal (what String(n) gives for a safe integer). */
  number(n: number): void {
    if (n < 0) {
      this.byte(0x2d);
      n = -n;
    }
    if (!Number.isSafeInteger(n)) {
      this.text(String(n));
      return;
    }
    const len = digitCount(n);
    this.#room(len);
    const b = this.#buf;
    let at = this.#at + len;
    this.#at = at;
    do {
      const q = Math.floor(n / 10);
      b[--at] = 0x30 + (n - q * 10);
      n = q;
    } while (n > 0);
  }

  /** `n` as exactly `width` digits, zeros in front (a fraction of a second). */
  zeroPadded(n: number, width: number): void {
    this.#room(width);
    const b = this.#buf;
    let at = this.#at + width;
    this.#at = at;
    for (let i = 0; i < width; i++) {
      const q = Math.floor(n / 10);
      b[--at] = 0x30 + (n - q * 10);
      n = q;
    }
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
    this.byte(0x0a);
    if (this.#at >= LineBuffer.BATCH) this.flush();
  }

  /** Hand over what is written (nothing when empty). */
  flush(): void {
    if (this.#at === 0) return;
    const chunk = this.#buf.subarray(0, this.#at);
    this.#buf = Buffer.allocUnsafe(LineBuffer.BATCH * 2);
    this.#at = 0;
    this.#onFull(chunk);
  }

  /** Forget what is written (a scratch buffer read back line by line). */
  clear(): void {
    this.#at = 0;
  }
}

/** Decimal digits of a non-negative safe integer. */
export function digitCount(n: number): number {
  let len = 1;
  for (let p = 10; n >= p; p *= 10) len++;
  return len;
}
