import { CHUNKED_MORE, ChunkedBody } from './chunkedBody.js';
import type { HeadFacts } from './headFacts.js';

/** How a message's body is delimited (RFC 9112 §6.3). */
export type Framing =
  | { readonly kind: 'length'; readonly length: number }
  | { readonly kind: 'chunked' }
  | { readonly kind: 'close' };

/** No body at all. */
export const NO_BODY: Framing = { kind: 'length', length: 0 };
const CHUNKED: Framing = { kind: 'chunked' };
const TO_CLOSE: Framing = { kind: 'close' };

/** A request's body: chunked, or as long as Content-Length says, or none. */
export function requestFraming(h: HeadFacts): Framing {
  if (h.chunked) return CHUNKED;
  return h.contentLength !== null && h.contentLength > 0 ? { kind: 'length', length: h.contentLength } : NO_BODY;
}

/**
 * A response's body, by its status and its request's method (upper case): none after 1xx,
 * 204, 304 or a HEAD; else chunked, Content-Length, or up to the end of the connection.
 */
export function responseFraming(h: HeadFacts, status: number, method: string): Framing {
  if ((status >= 100 && status < 200) || status === 204 || status === 304 || method === 'HEAD') return NO_BODY;
  if (h.chunked) return CHUNKED;
  if (h.contentLength !== null) return h.contentLength > 0 ? { kind: 'length', length: h.contentLength } : NO_BODY;
  return TO_CLOSE;
}

/** `BodyReader.feed` returns this when it took every byte and the body goes on. */
export const BODY_MORE = -1;

/** Where `BodyReader.feed` reports the body's bytes: spans of the bytes it was fed. */
export interface BodySink {
  data(start: number, end: number): void;
}

/**
 * One body as it arrives, across segments: which bytes are the body's, and where it ends.
 * Refilled for each message (`begin`): a framer reads its bodies with one.
 */
export class BodyReader {
  #remaining = 0;
  #chunks: ChunkedBody | null = null;
  #toClose = false;

  constructor(framing: Framing = NO_BODY) {
    this.begin(framing);
  }

  /** Read the next message's body. */
  begin(framing: Framing): void {
    this.#remaining = framing.kind === 'length' ? framing.length : 0;
    this.#chunks = framing.kind === 'chunked' ? new ChunkedBody() : null;
    this.#toClose = framing.kind === 'close';
  }

  /** The body has no bytes to wait for. */
  get empty(): boolean {
    return this.#chunks === null && !this.#toClose && this.#remaining === 0;
  }

  /** Chunked. */
  get chunked(): boolean {
    return this.#chunks !== null;
  }

  /** A chunk size was not hex (read as the last chunk: the message is malformed). */
  get invalid(): boolean {
    return this.#chunks?.invalid === true;
  }

  /** It runs to the end of the connection. */
  get toClose(): boolean {
    return this.#toClose;
  }

  /** Delimited by Content-Length. */
  get byLength(): boolean {
    return this.#chunks === null && !this.#toClose;
  }

  /**
   * Take the body's bytes of `b` from `at` up to `to`, each span reported to `sink`: the offset
   * just after the body's end, or BODY_MORE when all of them were taken.
   */
  feed(b: Uint8Array, at: number, to: number, sink: BodySink): number {
    if (this.#chunks !== null) {
      const end = this.#chunks.feed(b, at, to, sink);
      return end === CHUNKED_MORE ? BODY_MORE : end;
    }
    if (this.#toClose) {
      if (to > at) sink.data(at, to);
      return BODY_MORE;
    }
    const take = Math.min(this.#remaining, to - at);
    if (take > 0) sink.data(at, at + take);
    this.#remaining -= take;
    return this.#remaining === 0 ? at + take : BODY_MORE;
  }

  /** `n` bytes of a Content-Length body were never captured: how many of them were the body's. */
  skip(n: number): number {
    if (!this.byLength) return 0;
    const taken = Math.min(n, this.#remaining);
    this.#remaining -= taken;
    return taken;
  }
}
