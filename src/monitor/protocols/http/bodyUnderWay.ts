import { BodyReader, type BodySink, type Framing } from './messageBody.js';

const EMPTY = Buffer.alloc(0);
const NO_BYTES = new Uint8Array(0);
const NO_PARTS: Buffer[] = []; // shared, never pushed to: a body without kept bytes allocates no array

/**
 * The body of the message a framer (./framer.ts) is reading: where it ends, how long it is, and
 * its first bytes, kept (copies: the capture's bytes move on) up to a limit for the rule engine
 * and the log. One per framer, refilled message after message: a body costs no reader of its
 * own, and no closure to take its bytes.
 */
export class BodyUnderWay implements BodySink {
  readonly #reader = new BodyReader();
  #active = false;
  /** Its bytes read so far (those of a given-up gap a Content-Length body skipped included). */
  length = 0;
  /** Bytes of it were never captured (a gap given up). */
  lost = false;
  #prefix: Buffer[] = NO_PARTS;
  #kept = 0;
  #keepLimit = 0;
  /** The bytes being fed, for `data`. */
  #feeding: Uint8Array = NO_BYTES;

  /** The body being read, or null between messages. */
  get reader(): BodyReader | null {
    return this.#active ? this.#reader : null;
  }

  /** Read a message's body, delimited as `framing` says, keeping its first `keepLimit` bytes. */
  begin(framing: Framing, keepLimit: number): BodyReader {
    this.#reader.begin(framing);
    this.#active = true;
    this.#keepLimit = keepLimit;
    return this.#reader;
  }

  /** Take its bytes of `b` from `at` up to `to`: the offset just after its end, or BODY_MORE. */
  feed(b: Uint8Array, at: number, to: number): number {
    this.#feeding = b;
    const end = this.#reader.feed(b, at, to, this);
    this.#feeding = NO_BYTES;
    return end;
  }

  /** `n` bytes of the stream were never captured: a Content-Length body counts those that were its own. */
  skip(n: number): void {
    if (!this.#active || !this.#reader.byLength) return;
    this.length += this.#reader.skip(n);
    this.lost = true;
  }

  /** A span of the bytes being fed: counted, and kept up to the limit. */
  data(start: number, stop: number): void {
    this.length += stop - start;
    if (this.#kept >= this.#keepLimit) return;
    const end = Math.min(stop, start + this.#keepLimit - this.#kept);
    if (this.#prefix === NO_PARTS) this.#prefix = [];
    this.#prefix.push(Buffer.from(this.#feeding.subarray(start, end)));
    this.#kept += end - start;
  }

  /** Its first bytes kept, in one Buffer (a body kept from one segment: its copy as it is, not copied again). */
  prefix(): Buffer {
    const parts = this.#prefix;
    if (parts.length === 1) return parts[0] as Buffer;
    return parts.length === 0 ? EMPTY : Buffer.concat(parts);
  }

  /** Done with this message's body: ready for the next. */
  clear(): void {
    this.#active = false;
    this.length = 0;
    this.lost = false;
    this.#prefix = NO_PARTS;
    this.#kept = 0;
    this.#keepLimit = 0;
  }
}
