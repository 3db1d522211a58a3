import { isHttpVersion } from '../../../observe/httpRequest.js';
import { LIMITS } from '../../../observe/observation.js';
import { headEnd } from './headEnd.js';
import { type HeadFacts, headFacts as readHeadFacts } from './headFacts.js';
import {
  BODY_INVALID,
  BODY_MORE,
  BodyReader,
  type Framing,
  NO_BODY,
  requestFraming,
  responseFraming,
} from './messageBody.js';

/**
 * Cut an in-order TCP byte stream into HTTP/1.x messages: requests from the client, responses
 * from the server. Pipelined messages, Content-Length and chunked bodies are followed; only a
 * bounded head and body prefix are kept. A stream that stops being HTTP (a tunnel after CONNECT
 * or Upgrade, binary noise) ends the cutting for that direction.
 */

/** Largest header section we wait for; beyond it the message is cut as it stands. */
const MAX_HEAD = 64 * 1024;

export interface CutRequest {
  /** Request line, headers and the body prefix, as received. */
  readonly raw: Uint8Array;
  readonly method: string;
  /** Why the framing is broken, when it is (the request is still reported). */
  readonly malformed: string | null;
}

const EMPTY = Buffer.alloc(0);
const NO_BYTES = new Uint8Array(0);

/** `b[start, end)` as a Buffer sharing its bytes (for toString and Buffer.concat). */
function asBuffer(b: Uint8Array, start: number, end: number): Buffer {
  return Buffer.from(b.buffer, b.byteOffset + start, end - start);
}

/** Shared framing: head accumulation, then a body of a known kind. */
abstract class MessageCutter<T> {
  #head: Buffer[] = [];
  #headLength = 0;
  #body: BodyReader | null = null;
  #bodyPrefix: Buffer[] = [];
  #bodyKept = 0;
  #headBytes: Buffer | null = null;
  protected dead = false;
  /** Body bytes kept per message (the observations' body prefix; none where no one reads them). */
  protected readonly bodyPrefixLimit: number = LIMITS.bodyPrefix;

  /** Messages completed by the last push: refilled by every push (a segment costs no array). */
  readonly #out: T[] = [];

  /** Cut what `chunk` completes; the array returned is refilled by the next push (read it before). */
  push(chunk: Uint8Array): readonly T[] {
    const out = this.#out;
    if (out.length !== 0) out.length = 0;
    // Read at offsets: a Buffer view per step (Buffer's subarray builds a FastBuffer) cost more
    // than the cutting itself.
    // A body of known length that ended in a gap: the message is complete before these bytes.
    if (this.#body?.byLength && this.#body.empty) this.#complete(out, null);
    let at = 0;
    while (at < chunk.length && !this.dead) {
      at = this.#body === null ? this.#feedHead(chunk, at, out) : this.#feedBody(chunk, at, out);
    }
    return out;
  }

  /**
   * `n` bytes of the stream were never captured (a gap given up). A body of known length still
   * ends where its length says, as ./httpConversation.ts counts it, so the next message is cut
   * where it starts rather than eaten as the rest of this one's body.
   */
  skip(n: number): void {
    if (this.#body?.byLength) this.#body.skip(n);
  }

  /** The stream ended: a message still being read is finished as it stands. */
  end(): T[] {
    if (this.dead) return [];
    const out: T[] = [];
    if (this.#body !== null)
      this.#complete(out, this.#body.toClose || this.#body.empty ? null : 'body cut short by end of stream');
    else if (this.#headLength > 0) {
      const head = Buffer.concat(this.#head);
      this.#head = [];
      this.#headLength = 0;
      const msg = this.onPartialHead(head);
      if (msg) out.push(msg);
    }
    this.dead = true;
    return out;
  }

  /** A message head is complete: decide the body. Return null to stop cutting this stream. */
  protected abstract onHead(head: Buffer): Framing | null;
  /** The head and body prefix of a complete message. */
  protected abstract onMessage(head: Buffer, body: Buffer, malformed: string | null): T | null;
  /** The stream ended or overflowed inside a head. */
  protected abstract onPartialHead(head: Buffer): T | null;
  /** Does a message start at `at` (checked on the first bytes of each message)? */
  protected abstract startsMessage(b: Uint8Array, at: number): boolean;
  /** Whether `onMessage` reads the head of a message with a body (else it is not copied). */
  protected readonly keepsHead: boolean = true;

  /** Read head bytes of `b` from `at`; returns the offset after what was used. */
  #feedHead(b: Uint8Array, at: number, out: T[]): number {
    let start = at;
    if (this.#headLength === 0) {
      while (start < b.length && (b[start] === 0x0d || b[start] === 0x0a)) start++;
      if (start === b.length) return b.length;
      if (!this.startsMessage(b, start)) {
        const msg = this.onPartialHead(asBuffer(b, start, Math.min(b.length, start + LIMITS.requestLine)));
        if (msg) out.push(msg);
        this.dead = true;
        return b.length;
      }
    }
    const prevTail = this.#headLength;
    let joined: Buffer;
    let from: number;
    if (prevTail === 0) {
      // The usual case: the whole head in this segment, read in place.
      joined = asBuffer(b, start, b.length);
      from = 0;
    } else {
      joined = Buffer.concat([...this.#head, b.subarray(start)]);
      from = Math.max(0, prevTail - 3);
    }
    const end = headEnd(joined, from);
    if (end < 0) {
      // Kept across segments: a copy, since the capture's bytes move on.
      this.#head = [prevTail === 0 ? Buffer.from(joined) : joined];
      this.#headLength = joined.length;
      if (this.#headLength > MAX_HEAD) {
        const msg = this.onPartialHead(joined.subarray(0, MAX_HEAD));
        if (msg) out.push(msg);
        this.dead = true;
      }
      return b.length;
    }
    // A view into the capture's bytes: copied only when the message goes on past this chunk.
    const head = joined.subarray(0, end);
    this.#head = [];
    this.#headLength = 0;
    const framing = this.onHead(head);
    if (framing === null) {
      const msg = this.onMessage(head, EMPTY, null);
      if (msg) out.push(msg);
      this.dead = true;
      return b.length;
    }
    this.#headBytes = head;
    this.#body = new BodyReader(framing, true);
    if (this.#body.empty) this.#complete(out, null);
    else this.#headBytes = this.keepsHead ? Buffer.from(head) : EMPTY;
    return start + (end - prevTail);
  }

  #feedBody(b: Uint8Array, at: number, out: T[]): number {
    this.#feeding = b;
    const end = (this.#body as BodyReader).feed(b, at, this.#keep);
    this.#feeding = NO_BYTES;
    if (end === BODY_MORE) return b.length;
    if (end === BODY_INVALID) {
      this.#complete(out, 'invalid chunk size');
      this.dead = true;
      return b.length;
    }
    this.#complete(out, null);
    return end;
  }

  /** The bytes `#feedBody` is reading, for `#keep` (one bound function per cutter, not a closure per segment). */
  #feeding: Uint8Array = NO_BYTES;

  /** Keep a body span of the bytes being fed, up to the prefix limit (a copy: the capture's bytes move on). */
  readonly #keep = (start: number, stop: number): void => {
    if (this.#bodyKept >= this.bodyPrefixLimit) return;
    const end = Math.min(stop, start + this.bodyPrefixLimit - this.#bodyKept);
    this.#bodyPrefix.push(Buffer.from(this.#feeding.subarray(start, end)));
    this.#bodyKept += end - start;
  };

  #complete(out: T[], malformed: string | null): void {
    const body = this.#bodyPrefix.length === 0 ? EMPTY : Buffer.concat(this.#bodyPrefix);
    const msg = this.onMessage(this.#headBytes ?? EMPTY, body, malformed);
    if (msg) out.push(msg);
    this.#body = null;
    this.#headBytes = null;
    this.#bodyPrefix = [];
    this.#bodyKept = 0;
  }
}

/** The facts of a head as cut from the stream (latin1 bytes). */
function headFacts(head: Buffer): HeadFacts {
  return readHeadFacts(head.toString('latin1'));
}

/** A request line starts with a method-like token and a space. */
function looksLikeRequest(b: Uint8Array, at = 0): boolean {
  const limit = Math.min(b.length, at + 32);
  for (let i = at; i < limit; i++) {
    const c = b[i] as number;
    if (c === 0x20) return i > at;
    const token = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2d || c === 0x5f;
    if (!token) return false;
  }
  return b.length - at < 32;
}

/** Does the first line of `head` end in an HTTP version (`GET / HTTP/1.1`)? */
function endsInHttpVersion(head: Buffer): boolean {
  const eol = head.indexOf(0x0a);
  const line = head.toString('latin1', 0, eol < 0 ? head.length : eol).trimEnd();
  const space = line.lastIndexOf(' ');
  return space > 0 && isHttpVersion(line.slice(space + 1));
}

export class RequestCutter extends MessageCutter<CutRequest> {
  readonly #reportNonHttp: boolean;
  /**
   * Off the HTTP ports, whether the stream has shown an HTTP request line (one ending in a
   * version): until then a command that merely starts like a method (`EHLO mail.example`,
   * memcached's `get key`) is some other protocol's, not a malformed request.
   */
  #spokeHttp = false;
  #method = '';
  /**
   * The last request was a CONNECT or asked for an Upgrade: a tunnel may follow, or the server
   * refused and the connection goes on as HTTP. Only what starts a request line ending in an
   * HTTP version is then read as one; anything else is the tunnel, and ends the cutting
   * silently. (Stopping at the request itself left every later request on a refused CONNECT
   * or an ignored `Upgrade:` header unjudged.) The response's side ends it too: ./httpStream.ts.
   */
  #mayTunnel = false;
  /** A message head whose stream turned out to be a tunnel: not reported. */
  #tunnelled = false;

  /** `reportNonHttp`: on an HTTP port, data that is not HTTP is itself reported (as malformed). */
  constructor(reportNonHttp: boolean) {
    super();
    this.#reportNonHttp = reportNonHttp;
  }

  /** The stream is some other protocol (its server spoke first, as SMTP, FTP and SSH servers do): cut nothing from it. */
  abandon(): void {
    this.dead = true;
  }

  protected startsMessage(b: Uint8Array, at: number): boolean {
    return looksLikeRequest(b, at);
  }

  /** On an HTTP port anything goes; elsewhere the first request line must end in an HTTP version. */
  #isHttp(head: Buffer): boolean {
    if (this.#mayTunnel) {
      // After a CONNECT or an Upgrade, on any port: a request line, or the tunnel's bytes.
      this.#mayTunnel = false;
      this.#tunnelled = !endsInHttpVersion(head);
      if (this.#tunnelled) this.dead = true;
      return !this.#tunnelled;
    }
    if (this.#reportNonHttp || this.#spokeHttp) return true;
    this.#spokeHttp = endsInHttpVersion(head);
    return this.#spokeHttp;
  }

  protected onHead(head: Buffer): Framing | null {
    if (!this.#isHttp(head)) {
      this.dead = true;
      return NO_BODY;
    }
    const facts = headFacts(head);
    const space = facts.firstLine.indexOf(' ');
    this.#method = space < 0 ? facts.firstLine : facts.firstLine.slice(0, space);
    this.#mayTunnel = this.#method.toUpperCase() === 'CONNECT' || facts.upgrade !== null;
    return requestFraming(facts);
  }

  protected onMessage(head: Buffer, body: Buffer, malformed: string | null): CutRequest | null {
    if (this.#tunnelled || (!this.#reportNonHttp && !this.#spokeHttp)) return null;
    return { raw: Buffer.concat([head, body]), method: this.#method, malformed };
  }

  protected onPartialHead(head: Buffer): CutRequest | null {
    if (!this.#isHttp(head)) return null;
    const method = looksLikeRequest(head) ? (head.toString('latin1').split(' ')[0] ?? '') : '';
    return { raw: Buffer.from(head), method, malformed: looksLikeRequest(head) ? 'request head incomplete' : null };
  }
}

export interface CutResponse {
  readonly status: number;
}

/**
 * Cuts responses; needs each request's method (HEAD and CONNECT responses have no body).
 * `takeRequestMethod` is called once per final (non-1xx) response, in order.
 */
export class ResponseCutter extends MessageCutter<CutResponse> {
  readonly #methods: () => string | undefined;
  #status = 0;
  protected override readonly bodyPrefixLimit = 0;
  protected override readonly keepsHead = false;

  constructor(takeRequestMethod: () => string | undefined) {
    super();
    this.#methods = takeRequestMethod;
  }

  protected startsMessage(b: Uint8Array, at: number): boolean {
    if (b.length - at < 5) return true;
    // `HTTP/`
    return b[at] === 0x48 && b[at + 1] === 0x54 && b[at + 2] === 0x54 && b[at + 3] === 0x50 && b[at + 4] === 0x2f;
  }

  protected onHead(head: Buffer): Framing | null {
    const facts = headFacts(head);
    const status = Number(facts.firstLine.slice(9, 12));
    this.#status = Number.isInteger(status) ? status : 0;
    // After 101 Switching Protocols, or a CONNECT answered 2xx, the stream is a tunnel.
    if (status === 101) return null;
    const method = status >= 100 && status < 200 ? '' : (this.#methods() ?? '').toUpperCase();
    if (method === 'CONNECT' && status >= 200 && status < 300) return null;
    return responseFraming(facts, status, method);
  }

  protected onMessage(): CutResponse {
    return { status: this.#status };
  }

  protected onPartialHead(): CutResponse | null {
    return null;
  }
}
