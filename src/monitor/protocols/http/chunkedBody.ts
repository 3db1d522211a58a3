/**
 * The chunked transfer coding (RFC 9112 §7.1) as a byte-at-a-time state machine, so a body can
 * be followed across TCP segments by the one HTTP framer (./framer.ts).
 */

type Stage = 'size' | 'data' | 'data-end' | 'trailer' | 'done';

/** `feed` returns this when every byte was consumed and the body goes on. */
export const CHUNKED_MORE = -1;

/** Chunk-size and trailer lines longer than this are cut: they only need their first token. */
const MAX_LINE = 1024;

export class ChunkedBody {
  #stage: Stage = 'size';
  #remaining = 0;
  #line = '';
  #invalid = false;

  get done(): boolean {
    return this.#stage === 'done';
  }

  /**
   * A chunk-size line was not hex. It is read as the last chunk, as tshark's dissector reads
   * on (the message ends after its trailer), and the message is malformed.
   */
  get invalid(): boolean {
    return this.#invalid;
  }

  /**
   * Consume `b` from `at` up to `to`. Body bytes are reported to `sink` as spans of `b`.
   * Returns the position just after the body's last byte once it is complete, or
   * `CHUNKED_MORE` when all of them were consumed.
   */
  feed(b: Uint8Array, at: number, to: number, sink: { data(start: number, end: number): void }): number {
    let pos = at;
    while (pos < to) {
      if (this.#stage === 'data') {
        const take = Math.min(this.#remaining, to - pos);
        sink.data(pos, pos + take);
        this.#remaining -= take;
        pos += take;
        if (this.#remaining === 0) this.#stage = 'data-end';
        continue;
      }
      const c = b[pos++] as number;
      if (c !== 0x0a) {
        if (this.#line.length < MAX_LINE) this.#line += String.fromCharCode(c);
        continue;
      }
      const line = this.#line.endsWith('\r') ? this.#line.slice(0, -1) : this.#line;
      this.#line = '';
      if (this.#stage === 'data-end') this.#stage = 'size';
      else if (this.#stage === 'size') {
        const size = Number.parseInt((line.split(';')[0] ?? '').trim(), 16);
        if (!Number.isFinite(size) || size < 0) {
          this.#invalid = true;
          this.#stage = 'trailer';
        } else if (size === 0) this.#stage = 'trailer';
        else {
          this.#remaining = size;
          this.#stage = 'data';
        }
      } else if (line === '') {
        this.#stage = 'done';
        return pos;
      }
    }
    return CHUNKED_MORE;
  }
}
