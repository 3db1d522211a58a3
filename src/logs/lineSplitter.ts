/**
 * Cuts a byte stream into lines. Bytes are read as latin1 — one char per byte, as the gateway
 * reads the wire — so nothing a client sent is lost or re-encoded. A line longer than
 * `maxLine` is cut there and the rest of it, up to the next newline, is dropped: one endless
 * "line" must not grow memory without bound.
 */
export class LineSplitter {
  #partial = '';
  #skipping = false;
  readonly #maxLine: number;

  constructor(maxLine = 65_536) {
    this.#maxLine = maxLine;
  }

  push(chunk: Buffer): string[] {
    const text = chunk.toString('latin1');
    const parts = text.split('\n');
    const last = parts.pop() as string;
    const lines: string[] = [];
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i] as string;
      if (i === 0) {
        if (this.#skipping) {
          this.#skipping = false;
          this.#partial = '';
          continue;
        }
        lines.push(this.#bounded(this.#partial === '' ? part : this.#partial + part));
        this.#partial = '';
      } else {
        lines.push(part.length > this.#maxLine ? part.slice(0, this.#maxLine) : part);
      }
    }
    if (parts.length > 0) this.#skipping = false;
    if (!this.#skipping) {
      this.#partial += last;
      if (this.#partial.length > this.#maxLine) {
        lines.push(this.#partial.slice(0, this.#maxLine));
        this.#partial = '';
        this.#skipping = true;
      }
    }
    return lines;
  }

  /** The last line when the input ends without a newline (or a rotated file's last words). */
  flush(): string[] {
    const rest = this.#partial;
    this.#partial = '';
    this.#skipping = false;
    return rest === '' ? [] : [rest];
  }

  #bounded(line: string): string {
    return line.length > this.#maxLine ? line.slice(0, this.#maxLine) : line;
  }
}
