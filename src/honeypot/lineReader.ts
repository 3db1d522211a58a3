/** One line from the abuser without its line ending; `text` is latin1, one character per byte. */
export interface Line {
  readonly text: string;
  /** True when the line was longer than the bound: `text` holds its first `maxLine` bytes only. */
  readonly cut: boolean;
}

/**
 * Splits a byte stream into lines (LF, with or without CR), holding at most `maxLine` bytes of
 * an unfinished line. The rest of an over-long line is dropped, so a peer that never sends a
 * line feed costs `maxLine` bytes and no more. Bytes are kept as latin1 so that what is stored
 * (a quarantined message) is byte for byte what was sent.
 */
export class LineReader {
  readonly #maxLine: number;
  #pending = '';
  #cut = false;

  constructor(maxLine: number) {
    this.#maxLine = maxLine;
  }

  push(chunk: Buffer): Line[] {
    const text = chunk.toString('latin1');
    const lines: Line[] = [];
    let start = 0;
    for (let lf = text.indexOf('\n'); lf >= 0; lf = text.indexOf('\n', start)) {
      this.#append(text.slice(start, lf));
      lines.push(this.#finish());
      start = lf + 1;
    }
    this.#append(text.slice(start));
    return lines;
  }

  /** Bytes held for the unfinished line (bounded by maxLine + 1). */
  get held(): number {
    return this.#pending.length;
  }

  #append(part: string): void {
    // One byte more than the bound, for the CR that may end the line.
    const room = this.#maxLine + 1 - this.#pending.length;
    if (part.length <= room) this.#pending += part;
    else {
      this.#pending += part.slice(0, room);
      this.#cut = true;
    }
  }

  #finish(): Line {
    let text = this.#pending;
    if (text.endsWith('\r')) text = text.slice(0, -1);
    let cut = this.#cut;
    if (text.length > this.#maxLine) {
      text = text.slice(0, this.#maxLine);
      cut = true;
    }
    this.#pending = '';
    this.#cut = false;
    return { text, cut };
  }
}
