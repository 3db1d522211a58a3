import { LIMITS } from '../../../observe/observation.js';
import type { HttpBody } from '../events.js';
import { BodyUnderWay } from './bodyUnderWay.js';
import { connectPortAt, methodAt, statusAt, upperMethod } from './firstLine.js';
import {
  type CutRequest,
  type Framed,
  type FramerOptions,
  type FramerState,
  keptForLog,
  type Pairing,
  type Stage,
} from './framed.js';
import { appended, cleared, joinedRaw, lfIn, NO_ITEMS, partialReport } from './framerParts.js';
import { HeadReader } from './headFacts.js';
import { BODY_MORE, type Framing, NO_BODY, requestFraming, responseFraming } from './messageBody.js';
import { endsInHttpVersion, firstLineOf, isResponseStart, looksLikeRequest, mayStartMessage } from './messageStart.js';

/**
 * The one HTTP/1.x framer: one direction of a connection's in-order bytes cut into messages,
 * requests and responses alike, for the rule engine (./httpStream.ts) and, with the delivery
 * they complete in, the packet log's naming (./httpNaming.ts). Data that starts no message is
 * skipped to the end of its delivery and the next one is read afresh, as tshark does (Zeek
 * stops; that would hide every later request): docs/architecture.md has the whole policy.
 */

/** Largest header section waited for; beyond it the head is reported as it stands. */
const MAX_HEAD = 64 * 1024;

const EMPTY = Buffer.alloc(0);
const NO_PARTS: Buffer[] = []; // shared, never pushed to: a message without parts allocates no array
const NOT_KEPT: HttpBody = { length: 0, kept: EMPTY, contentType: null, contentEncoding: null, boundary: null };

export class HttpFramer {
  /** What the last push (or `end`) framed, in order: refilled by the next (read only). */
  items: Framed[] = NO_ITEMS;
  /** The state when the last push began. */
  startState: FramerState = 'http';
  /** The stage of the message under way when the last push began ('idle': none). */
  continued: Stage = 'idle';
  #state: FramerState = 'http';
  #stage: Stage = 'idle';
  /** The message under way began in the last push, at this offset of it. */
  #begunInRun = false;
  #startAt = 0;
  readonly #opts: FramerOptions;
  readonly #pairing: Pairing;
  #head: readonly Buffer[] = NO_PARTS;
  #headLength = 0;
  #request = false;
  #firstLine = '';
  /** Where the first line of the message under way ends in its head. */
  #lf = 0;
  #method = '';
  #status = Number.NaN;
  #upgrade: string | null = null;
  #opens: FramerState = 'http';
  /**
   * The head of the message under way, `#headIn[#headFrom, #headTo)`: in place in the bytes
   * being framed while the message completes in them, else a copy of its own (the judged
   * requests' heads only: nothing else reads it after the head).
   */
  #headIn: Uint8Array = EMPTY;
  #headFrom = 0;
  #headTo = 0;
  readonly #body = new BodyUnderWay();
  #logLimit = 0;
  /** The head's facts, read with its end (and kept for the log's naming of the body). */
  readonly #facts = new HeadReader();
  /** Junk was met: the rest of the delivery is skipped. */
  #skip = false;
  /** Off the HTTP ports: a request line ending in a version was seen, so the stream is HTTP. */
  #spokeHttp = false;
  /**
   * The last request was a CONNECT or asked for an Upgrade: the next request line must end in
   * a version, else the bytes are the tunnel's, and reading stops silently.
   */
  #mayTunnel = false;
  /** Non-HTTP data is reported once per connection. */
  #reportedJunk = false;

  constructor(opts: FramerOptions, pairing: Pairing) {
    this.#opts = opts;
    this.#pairing = pairing;
  }

  get state(): FramerState {
    return this.#state;
  }

  get stage(): Stage {
    return this.#stage;
  }

  /** The first line of the message under way, once complete ('' before). */
  get firstLine(): string {
    return this.#firstLine;
  }

  /** The message under way is a request (known once its first line is). */
  get request(): boolean {
    return this.#request;
  }

  /** The message under way began in the last push. */
  get begunInRun(): boolean {
    return this.#begunInRun;
  }

  /** The body being read is chunked. */
  get chunked(): boolean {
    return this.#body.reader?.chunked === true;
  }

  /** This side carries no HTTP from now on (its server spoke first; a tunnel's other side). */
  abandon(): void {
    this.#state = 'opaque';
  }

  /** Frame one delivery (`fin`: the frame that carried it ends the direction: a body read to the close ends). */
  push(chunk: Uint8Array, fin: boolean): readonly Framed[] {
    return this.pushBytes(chunk, 0, chunk.length, fin);
  }

  /**
   * `push` of the delivery `bytes[start, end)`, read in place: no view of it is made (offsets in
   * the items are from `start`).
   */
  pushBytes(bytes: Uint8Array, start: number, end: number, fin: boolean): readonly Framed[] {
    const items = cleared(this.items);
    this.startState = this.#state;
    this.continued = 'idle';
    if (this.#state !== 'http') return items;
    // A body of known length that ended in a gap: the message is complete before these bytes.
    const reader = this.#body.reader;
    if (reader?.byLength && reader.empty) this.#complete(null, true);
    this.continued = this.#stage;
    this.#begunInRun = false;
    this.#from = start;
    this.#to = end;
    let at = start;
    while (at < end && this.#state === 'http' && !this.#skip) {
      if (this.#stage === 'idle') at = this.#start(bytes, at);
      else at = this.#stage === 'body' ? this.#feedBody(bytes, at) : this.#feedHead(bytes, at);
    }
    this.#skip = false;
    if (fin && this.#state === 'http' && this.#body.reader?.toClose) this.#complete(null, false);
    return this.items;
  }

  /** `n` bytes were never captured (a gap given up): a body of known length still ends where its length says. */
  skip(n: number): void {
    this.#body.skip(n);
  }

  /** The stream ended: a message under way is finished as it stands. */
  end(): readonly Framed[] {
    const items = cleared(this.items);
    if (this.#state !== 'http') return items;
    const reader = this.#body.reader;
    if (reader !== null)
      this.#complete(reader.toClose || reader.empty ? null : 'body cut short by end of stream', false);
    else if (this.#headLength > 0) {
      const head = Buffer.concat(this.#head);
      const report = this.#partialReport(head);
      if (report !== null) this.items = appended(items, { kind: 'junk', at: 0, blank: false, report });
    }
    this.#state = 'opaque';
    return this.items;
  }

  /** The bytes being pushed: [#from, #to) of the delivery's bytes. */
  #from = 0;
  #to = 0;

  #start(b: Uint8Array, at: number): number {
    const to = this.#to;
    let s = at;
    while (s < to && (b[s] === 0x0d || b[s] === 0x0a)) s++;
    if (s > at) this.items = appended(this.items, { kind: 'junk', at: at - this.#from, blank: true, report: null });
    if (s === to) return s;
    if (!mayStartMessage(b, s, to)) {
      this.#junk(b, s, Math.min(to, s + LIMITS.requestLine), s - this.#from);
      return to;
    }
    this.#stage = 'line';
    this.#begunInRun = true;
    this.#startAt = s - this.#from;
    this.#firstLine = '';
    return this.#feedHead(b, s);
  }

  #feedHead(b: Uint8Array, at: number): number {
    const prevTail = this.#headLength;
    // The head so far is joined[base, limit).
    let joined: Uint8Array;
    let base: number;
    let limit: number;
    if (prevTail === 0) {
      // The usual case: the whole head in this delivery, read in place.
      joined = b;
      base = at;
      limit = this.#to;
    } else {
      joined = Buffer.concat([...this.#head, b.subarray(at, this.#to)]);
      base = 0;
      limit = joined.length;
    }
    if (this.#stage === 'line') {
      const lf = lfIn(joined, base + prevTail, limit);
      if (lf >= 0 && !this.#readFirstLine(joined, base, limit, lf)) return this.#to;
    }
    // Its header lines are read in the pass that finds their end (going on where the last delivery's stopped).
    const end = this.#stage === 'headers' ? this.#facts.read(joined, base, limit, this.#opts.logged) : -1;
    if (end < 0) {
      // Kept across deliveries: a copy, since the capture's bytes move on.
      const head = prevTail === 0 ? Buffer.from(joined.subarray(base, limit)) : (joined as Buffer);
      this.#head = [head];
      this.#headLength = head.length;
      // The log names a message by its first line while it waits for the rest.
      if (this.#opts.logged && this.#stage === 'headers' && this.#firstLine === '')
        this.#firstLine = firstLineOf(head, 0, this.#lf);
      if (this.#headLength > MAX_HEAD) {
        const report = this.#partialReport(head.subarray(0, MAX_HEAD));
        this.#resetMessage();
        const at = this.#begunInRun ? this.#startAt : 0;
        this.items = appended(this.items, { kind: 'junk', at, blank: false, report });
        this.#skip = true;
      }
      return this.#to;
    }
    this.#head = NO_PARTS;
    this.#headLength = 0;
    this.#onHead(joined, base, end);
    return at + (end - base - prevTail);
  }

  /** The first line is complete (its LF at `lf` of the head `head[start, end)`): a request, a response, or no message. */
  #readFirstLine(head: Uint8Array, start: number, end: number, lf: number): boolean {
    if (isResponseStart(head, start, end)) {
      this.#request = false;
    } else if (!looksLikeRequest(head, start, end)) {
      this.#junk(head, start, Math.min(end, start + LIMITS.requestLine), this.#begunInRun ? this.#startAt : 0);
      return false;
    } else {
      this.#request = true;
      const opts = this.#opts;
      if (opts.judged && this.#mayTunnel) {
        this.#mayTunnel = false;
        if (!endsInHttpVersion(firstLineOf(head, start, lf))) {
          // The tunnel a CONNECT or an Upgrade opened: no request, reported or not.
          this.#resetMessage();
          this.#state = 'opaque';
          return false;
        }
      } else if (opts.judged && !opts.httpPort && !this.#spokeHttp) {
        // Off the HTTP ports, a command that merely starts like a method (`EHLO mail.example`,
        // memcached's `get key`) is some other protocol's, not a malformed request.
        if (!endsInHttpVersion(firstLineOf(head, start, lf))) {
          this.#junk(head, start, Math.min(end, start + LIMITS.requestLine), this.#begunInRun ? this.#startAt : 0);
          return false;
        }
        this.#spokeHttp = true;
      }
    }
    this.#lf = lf - start;
    this.#stage = 'headers';
    this.#facts.begin(this.#lf + 1);
    return true;
  }

  /**
   * Data at `at` of the delivery starts no message: reported once (its first bytes,
   * `b[start, end)`) where it is to be, skipped to the end of the delivery.
   */
  #junk(b: Uint8Array, start: number, end: number, at: number): void {
    const opts = this.#opts;
    let report: CutRequest | null = null;
    if (opts.judged && this.#mayTunnel) this.#state = 'opaque';
    else if (opts.judged && !this.#reportedJunk && (opts.httpPort || this.#spokeHttp)) {
      this.#reportedJunk = true;
      report = { raw: Buffer.from(b.subarray(start, end)), method: '', malformed: null };
    }
    this.#resetMessage();
    this.items = appended(this.items, { kind: 'junk', at, blank: false, report });
    this.#skip = true;
  }

  /** A head that never ended (the stream ended, or it outgrew the bound): what the rule engine is told of it. */
  #partialReport(head: Uint8Array): CutRequest | null {
    return partialReport(head, this.#opts, this.#stage === 'line', this.#mayTunnel, this.#spokeHttp);
  }

  /** The head `b[start, end)` is complete (its facts read). */
  #onHead(b: Uint8Array, start: number, end: number): void {
    const opts = this.#opts;
    const facts = this.#facts;
    const lf = start + this.#lf;
    // The line's text is the log's only: the method and the status are read off the bytes.
    this.#firstLine = opts.logged ? firstLineOf(b, start, lf) : '';
    let framing: Framing;
    if (this.#request) {
      this.#method = methodAt(b, start, lf);
      const upper = upperMethod(this.#method);
      this.#pairing.requestHead(opts.dir, upper, upper === 'CONNECT' ? connectPortAt(b, start, lf) : 0);
      if (opts.judged) this.#mayTunnel = upper === 'CONNECT' || facts.upgrade !== null;
      framing = requestFraming(facts);
    } else {
      const status = statusAt(b, start, lf);
      this.#status = status;
      this.#upgrade = facts.upgrade;
      const method = status >= 100 && status < 200 ? '' : this.#pairing.takeMethod(opts.dir);
      this.#method = method;
      // After 101 Switching Protocols, or a CONNECT answered 2xx (but 204, as tshark has it),
      // the direction carries another protocol.
      if (status === 101) this.#opens = 'opaque';
      else if (method === 'CONNECT' && status >= 200 && status < 300 && status !== 204) this.#opens = 'connect';
      framing = this.#opens === 'http' ? responseFraming(facts, status, method) : NO_BODY;
    }
    const logLimit = opts.logged ? keptForLog(facts) : 0;
    this.#logLimit = logLimit;
    const reader = this.#body.begin(
      framing,
      this.#request && opts.judged ? Math.max(LIMITS.bodyPrefix, logLimit) : logLimit,
    );
    this.#stage = 'body';
    this.#headIn = b;
    this.#headFrom = start;
    this.#headTo = end;
    if (reader.empty) this.#complete(null, false);
    else if (this.#request && opts.judged) {
      // The body goes on past these bytes: the head the rule engine reads is kept, a copy.
      this.#headIn = Buffer.from(b.subarray(start, end));
      this.#headFrom = 0;
      this.#headTo = end - start;
    } else this.#headIn = EMPTY;
  }

  #feedBody(b: Uint8Array, at: number): number {
    const end = this.#body.feed(b, at, this.#to);
    if (end === BODY_MORE) return this.#to;
    this.#complete(this.#body.reader?.invalid ? 'invalid chunk size' : null, false);
    return end;
  }

  #complete(malformed: string | null, endedInGap: boolean): void {
    const prefix = this.#body.prefix();
    const request = this.#request;
    const judged = request && this.#opts.judged;
    const raw = judged
      ? joinedRaw(
          this.#headIn,
          this.#headFrom,
          this.#headTo,
          prefix.length > LIMITS.bodyPrefix ? prefix.subarray(0, LIMITS.bodyPrefix) : prefix,
        )
      : EMPTY;
    const body: HttpBody = this.#opts.logged
      ? {
          length: this.#body.length,
          kept: prefix.length > this.#logLimit ? prefix.subarray(0, this.#logLimit) : prefix,
          contentType: this.#facts.contentType,
          contentEncoding: this.#facts.contentEncoding,
          boundary: this.#facts.boundary,
        }
      : NOT_KEPT;
    const opens = this.#opens;
    this.items = appended(this.items, {
      kind: 'message',
      request,
      method: this.#method,
      firstLine: this.#firstLine,
      status: request ? Number.NaN : this.#status,
      upgrade: request ? null : this.#upgrade,
      raw,
      malformed,
      body,
      lost: this.#body.lost,
      endedInGap,
      opens,
    });
    this.#resetMessage();
    if (opens !== 'http') this.#state = opens;
  }

  #resetMessage(): void {
    this.#stage = 'idle';
    this.#head = NO_PARTS;
    this.#headLength = 0;
    this.#body.clear();
    this.#headIn = EMPTY;
    this.#headFrom = 0;
    this.#headTo = 0;
    this.#opens = 'http';
    this.#upgrade = null;
  }
}
