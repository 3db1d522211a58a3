import type { HttpBody, ProtocolEvent } from '../events.js';
import { PART, PDUS, type Reading } from '../reading.js';
import { headEndInText } from './headEnd.js';
import { authorityPort, headFacts, statusCode } from './headFacts.js';
import { BODY_MORE, BodyReader, NO_BODY, requestFraming, responseFraming } from './messageBody.js';
import { messageStart } from './messageStart.js';

/**
 * HTTP as tshark's dissector reads one TCP conversation: which segments complete a message
 * (`http_request`, `http_reply`, with the start of the body for its media type), which carry
 * only part of one, and which carry data that starts no message (`http_continuation`). It sees
 * in-order payload only, the way tshark's desegmentation does.
 */

/** TCP ports tshark 4.0 gives to its HTTP dissector (`tshark -G decodes`). */
export const HTTP_PORTS: ReadonlySet<number> = new Set([
  80, 631, 1900, 2710, 2869, 3128, 3132, 3689, 5985, 8080, 8088, 11371,
]);

const MAX_HEAD = 65536;
/** Body bytes kept of a message sent as is: the media dissectors look at the first few. */
const PLAIN_KEPT = 16;
/** Of a multipart body, enough for the heads of the parts a form or an API usually sends. */
const MULTIPART_KEPT = 8192;
/** Of a compressed body: enough to decode well past the bytes the media dissectors look at. */
export const ENCODED_KEPT = 512;

interface Pending {
  isResponse: boolean;
  method: string;
  /** 'line': no complete first line yet, so not yet known to be HTTP (tshark waits for one). */
  stage: 'line' | 'headers' | 'body';
  head: string;
  firstLine: string;
  /** Set once the head is read. */
  body: BodyReader | null;
  bodyLength: number;
  /** The body's first bytes (copied: segments are views into the capture's buffer). */
  kept: Buffer[];
  keptLength: number;
  contentType: string | null;
  /** The boundary of a multipart body, whose parts are named one by one. */
  boundary: string | null;
  contentEncoding: string | null;
  /** Bytes of it were never captured. */
  lost: boolean;
}

export class HttpConversation {
  readonly #pending: [Pending | null, Pending | null] = [null, null];
  /** Until a first message is seen, data that is no HTTP stays plain TCP (no "Continuation"). */
  #seenMessage = false;
  /** After a CONNECT answered 2xx, the server's side carries the tunnel, not HTTP. */
  readonly #tunnel: [boolean, boolean] = [false, false];
  /** Methods of requests still waiting for their response, per requesting direction. */
  readonly #methods: [string[], string[]] = [[], []];
  /** A `101 Switching Protocols` to WebSocket was answered: both sides speak it from now on. */
  #webSocket = false;
  /** The port the last CONNECT asked for (0 when it named none), and the tunnel's once answered. */
  #connectPort = 0;
  #tunnelPort = 0;
  /** The direction the tunnel's 2xx came from: the proxy's side. */
  #proxyDir: 0 | 1 = 1;

  /** A CONNECT was answered 2xx: what follows is the tunnelled protocol. */
  get tunnelOpen(): boolean {
    return this.#tunnel[0] || this.#tunnel[1];
  }

  /** The port the open tunnel leads to (tshark hands the tunnel to that port's dissector); 0 for none. */
  get tunnelPort(): number {
    return this.#tunnelPort;
  }

  /** The direction from the proxy (which answered the CONNECT) toward its client. */
  get proxyDirection(): 0 | 1 {
    return this.#proxyDir;
  }

  /** The conversation switched to WebSocket (../webSocket.ts reads it from the next segment on). */
  get webSocket(): boolean {
    return this.#webSocket;
  }

  /**
   * In-order bytes of direction `dir` as the reassembly released them with one frame (possibly
   * none: a bare FIN); its events go to `out`.
   */
  onSegment(dir: 0 | 1, b: Uint8Array, fin: boolean, out: ProtocolEvent[]): Reading {
    if (this.#tunnel[dir]) return null;
    // A segment without data is plain TCP, unless it is the FIN that ends a body read to the close.
    if (b.length === 0 && !(fin && this.#pending[dir]?.body?.toClose)) return null;
    const before = out.length;
    let pos = 0;
    let endedLost = false;
    const pending = this.#pending[dir];
    if (pending) {
      this.#pending[dir] = null;
      const reading = pending.stage;
      const r = this.#continue(dir, pending, b, fin);
      if (r.kind === 'wait') {
        this.#pending[dir] = pending;
        // Headers (the segment that ends them too), or a chunked body of unknown length: tshark
        // dissects the message again with this segment, and names it.
        const again =
          (pending.stage === 'body' && pending.body !== null && !pending.body.byLength && !pending.body.toClose) ||
          (reading !== 'body' && pending.firstLine !== '');
        return again ? { kind: 'part', begins: false, pending: pending.firstLine } : PART;
      }
      if (r.event === null) return null;
      // A message with a hole is never reassembled: its last segment is one more segment.
      if (pending.lost) endedLost = true;
      else out.push(r.event);
      pos = r.used;
    }
    while (pos < b.length) {
      if (b.indexOf(0x0a, pos) < 0) {
        const next = newPending('line');
        next.head = Buffer.from(b.buffer, b.byteOffset + pos, b.length - pos).toString('latin1');
        this.#pending[dir] = next;
        if (out.length > before) break;
        return PART;
      }
      const start = messageStart(b, pos);
      if (!start) {
        if (!this.#seenMessage) break;
        out.push(CONTINUATION);
        break;
      }
      this.#seenMessage = true;
      const next = newPending('headers');
      next.isResponse = start.kind === 'response';
      next.method = start.kind === 'request' ? start.method : '';
      const used = this.#feed(dir, next, b, pos);
      if (used < 0 && !(fin && next.body?.toClose)) {
        this.#pending[dir] = next;
        // A message still waiting for its end is named by its first line, after what came before.
        const named = next.firstLine !== '' ? next.firstLine : undefined;
        if (out.length > before) return named === undefined ? PDUS : { kind: 'pdus', pending: named };
        if (endedLost)
          return { kind: 'part', begins: false, afterLost: true, ...(named === undefined ? {} : { pending: named }) };
        return named === undefined ? PART : { kind: 'part', begins: false, pending: named };
      }
      out.push(this.#finish(next));
      pos = used < 0 ? b.length : used;
      if (this.#tunnel[dir] || this.#webSocket) break;
    }
    if (out.length === before) return endedLost ? PART : null;
    return PDUS;
  }

  /**
   * `n` bytes in direction `dir` were not captured. A body of known length still ends where its
   * length says, as tshark's reassembly counts in sequence space, but the message is lost.
   */
  skip(dir: 0 | 1, n: number): void {
    const p = this.#pending[dir];
    if (p?.body == null || !p.body.byLength) return;
    p.bodyLength += p.body.skip(n);
    // tshark cannot reassemble a message with a hole, and never shows it. One that ended in the
    // hole is forgotten, and what follows is read afresh (a new message, or a Continuation);
    // one that goes on is followed to its end, so the next message is found where it starts.
    if (p.body.empty) this.#pending[dir] = null;
    else p.lost = true;
  }

  /** More bytes for a message already begun: wait for more, or the finished message's text. */
  #continue(
    dir: 0 | 1,
    p: Pending,
    b: Uint8Array,
    fin: boolean,
  ): { kind: 'wait' } | { kind: 'done'; event: ProtocolEvent | null; used: number } {
    let data = b;
    let prior = 0;
    if (p.stage === 'line') {
      if (b.indexOf(0x0a) < 0) {
        p.head += Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
        return { kind: 'wait' };
      }
      const head = Buffer.from(p.head, 'latin1');
      data = Buffer.concat([head, b]);
      prior = head.length;
      const start = messageStart(data, 0);
      if (!start) return { kind: 'done', event: this.#seenMessage ? CONTINUATION : null, used: b.length };
      this.#seenMessage = true;
      p.head = '';
      p.stage = 'headers';
      p.isResponse = start.kind === 'response';
      p.method = start.kind === 'request' ? start.method : '';
    }
    const used = this.#feed(dir, p, data, 0);
    if (used < 0 && !(fin && p.body?.toClose)) return { kind: 'wait' };
    return { kind: 'done', event: this.#finish(p), used: used < 0 ? b.length : Math.max(0, used - prior) };
  }

  /** Consume bytes from `at`; returns the offset after the message, or -1 when it needs more. */
  #feed(dir: 0 | 1, p: Pending, b: Uint8Array, at: number): number {
    let pos = at;
    if (p.stage === 'headers') {
      const before = p.head.length;
      const take = Math.min(b.length - pos, MAX_HEAD - before + 4);
      p.head += Buffer.from(b.buffer, b.byteOffset + pos, take).toString('latin1');
      const end = headEndInText(p.head, Math.max(0, before - 3));
      if (end < 0) {
        if (p.head.length >= MAX_HEAD) p.head = p.head.slice(0, MAX_HEAD);
        // With the first line complete, tshark names the message while it waits for the headers.
        if (p.firstLine === '') p.firstLine = firstLineOf(p.head);
        return -1;
      }
      pos += end - before;
      // What followed the blank line in this segment is body, not headers.
      p.head = p.head.slice(0, end);
      this.#startBody(dir, p);
    }
    return this.#feedBody(p, b, pos);
  }

  #startBody(dir: 0 | 1, p: Pending): void {
    const headers = headFacts(p.head);
    const line = headers.firstLine;
    p.firstLine = line;
    p.stage = 'body';
    p.contentType = headers.contentType;
    p.boundary = headers.boundary;
    p.contentEncoding = headers.contentEncoding;
    const other = dir === 0 ? 1 : 0;
    if (!p.isResponse) {
      if (p.method === 'CONNECT') this.#connectPort = authorityPort(line);
      this.#methods[dir].push(p.method);
      if (this.#methods[dir].length > 64) this.#methods[dir].shift();
      p.body = new BodyReader(requestFraming(headers), false);
      return;
    }
    const status = statusCode(line);
    if (status === 101 && headers.upgrade?.includes('websocket')) this.#webSocket = true;
    const method = status >= 100 && status < 200 ? '' : (this.#methods[other].shift() ?? '');
    // A CONNECT answered 2xx (but 204) opens a tunnel: what follows on this side is the tunnelled protocol.
    const tunnel = method === 'CONNECT' && status >= 200 && status < 300 && status !== 204;
    p.body = new BodyReader(tunnel ? NO_BODY : responseFraming(headers, status, method), false);
    if (tunnel) this.#openTunnel(dir);
  }

  #openTunnel(dir: 0 | 1): void {
    this.#tunnel[dir] = true;
    this.#tunnelPort = this.#connectPort;
    this.#proxyDir = dir;
  }

  #feedBody(p: Pending, b: Uint8Array, at: number): number {
    const end = (p.body as BodyReader).feed(b, at, (start, stop) => this.#noteBody(p, b, start, stop - start));
    return end >= 0 ? end : BODY_MORE;
  }

  #noteBody(p: Pending, b: Uint8Array, at: number, n: number): void {
    // A few bytes, or enough to decode a compressed body's start.
    const limit = p.boundary !== null ? MULTIPART_KEPT : p.contentEncoding === null ? PLAIN_KEPT : ENCODED_KEPT;
    const keep = Math.min(n, limit - p.keptLength);
    if (keep > 0) {
      p.kept.push(Buffer.from(b.subarray(at, at + keep)));
      p.keptLength += keep;
    }
    p.bodyLength += n;
  }

  #finish(p: Pending): ProtocolEvent {
    const body: HttpBody = {
      length: p.bodyLength,
      kept: p.kept.length === 1 ? (p.kept[0] as Buffer) : Buffer.concat(p.kept, p.keptLength),
      contentType: p.contentType,
      contentEncoding: p.contentEncoding,
      boundary: p.boundary,
    };
    return p.isResponse
      ? { kind: 'http_reply', statusCode: statusCode(p.firstLine), firstLine: p.firstLine, body }
      : { kind: 'http_request', method: p.method, firstLine: p.firstLine, body };
  }
}

const CONTINUATION: ProtocolEvent = { kind: 'http_continuation' };

function firstLineOf(head: string): string {
  const lf = head.indexOf('\n');
  if (lf < 0) return '';
  return head.slice(0, lf > 0 && head.charCodeAt(lf - 1) === 13 ? lf - 1 : lf);
}

function newPending(stage: Pending['stage']): Pending {
  return {
    isResponse: false,
    method: '',
    stage,
    head: '',
    firstLine: '',
    body: null,
    bodyLength: 0,
    kept: [],
    keptLength: 0,
    contentType: null,
    boundary: null,
    contentEncoding: null,
    lost: false,
  };
}
