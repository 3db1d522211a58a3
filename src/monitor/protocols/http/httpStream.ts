import { HttpTransaction } from '../../evidence/httpRecords.js';
import type { CutRequest, Framed, FramerOptions, HttpMessage, Pairing } from './framed.js';
import { HttpFramer } from './framer.js';

/**
 * Where the HTTP read off a connection's streams goes: each request once, with its answer's
 * status when one came, and its place among the connection's requests reported so far (1, 2, …).
 */
export interface HttpExchangeSink<C> {
  request(conn: C, request: CutRequest, status: number | null, timeMs: number, index: number): void;
}

interface Pending {
  readonly request: CutRequest;
  readonly time: number;
  /** Its evidence, while there is room for it. */
  readonly transaction: HttpTransaction | null;
}

const NO_TRANSACTIONS: readonly HttpTransaction[] = [];
/** Methods of requests waiting for their response, per direction. */
const MAX_METHODS = 64;
const NO_BYTES = new Uint8Array(0);

/** The framers' options by direction, port and log (index dir·4 + httpPort·2 + logged): shared, not one per framer. */
const FRAMER_OPTIONS: readonly FramerOptions[] = [0, 1].flatMap((dir) =>
  [false, true].flatMap((httpPort) =>
    [false, true].map((logged) => Object.freeze({ dir: dir as 0 | 1, judged: dir === 0, httpPort, logged })),
  ),
);

/**
 * HTTP/1.x as a connection's endpoints received it, framed once (./framer.ts) per direction:
 * requests and responses paired in order (a response's framing depends on its request's
 * method), each of the client's requests reported once — with its status when the response
 * came, without when it never did (the connection ended, or too many waited). What the rule
 * engine and the behaviours read; the first few requests are kept as the connection's http.log
 * evidence. The packet log names its frames from the same framers' messages (./httpNaming.ts),
 * and learns from here where a tunnel or WebSocket begins.
 */
export class HttpStream<C> implements Pairing {
  /**
   * Each direction's framer, made with its first bytes (many connections, scans and floods,
   * carry none). Fields, not arrays (nor the method queues, nor the pending requests, made with
   * their first entry): a connection costs fewer objects.
   */
  #framer0: HttpFramer | null = null;
  #framer1: HttpFramer | null = null;
  readonly #httpPort: boolean;
  readonly #logged: boolean;
  #pending: Pending[] | null = null;
  /** Methods of the requests read in each direction, waiting for their responses. */
  #methods0: string[] | null = null;
  #methods1: string[] | null = null;
  readonly #maxPending: number;
  /** Requests kept as evidence. */
  readonly #maxTransactions: number;
  /** None until a first request: most connections carry none worth an array. */
  #transactions: HttpTransaction[] | null = null;
  /** The port the last CONNECT asked for (0 when it named none). */
  #connectPort = 0;
  /** Requests reported to the sink so far: the next one's index. */
  #reported = 0;
  /** The port an open CONNECT tunnel leads to (0 for none). */
  tunnelPort = 0;
  /** The direction (of the connection) that answered the CONNECT: the proxy's. */
  proxyDirection: 0 | 1 = 1;
  /** A `101 Switching Protocols` to WebSocket was answered. */
  webSocket = false;

  /**
   * `httpPort`: HTTP by port, where what the client sends is reported even when it is no HTTP;
   * `logged`: the packet log is made; `maxTransactions`: its first requests kept as evidence.
   */
  constructor(httpPort: boolean, maxPending: number, logged = false, maxTransactions = 16) {
    this.#httpPort = httpPort;
    this.#logged = logged;
    this.#maxPending = maxPending;
    this.#maxTransactions = maxTransactions;
  }

  get transactions(): readonly HttpTransaction[] {
    return this.#transactions ?? NO_TRANSACTIONS;
  }

  /** A request was read: the connection is HTTP (Zeek's `service`). */
  get seen(): boolean {
    // Every first request is kept: the transactions exist from the first one on.
    return this.#transactions !== null;
  }

  /** Direction `dir`'s framer: what its last delivery framed. */
  framer(dir: 0 | 1): HttpFramer {
    const made = this.#framerOf(dir);
    if (made !== null) return made;
    const options = FRAMER_OPTIONS[dir * 4 + (this.#httpPort ? 2 : 0) + (this.#logged ? 1 : 0)] as FramerOptions;
    const framer = new HttpFramer(options, this);
    if (dir === 0) this.#framer0 = framer;
    else this.#framer1 = framer;
    return framer;
  }

  #framerOf(dir: 0 | 1): HttpFramer | null {
    return dir === 0 ? this.#framer0 : this.#framer1;
  }

  /**
   * A CONNECT was answered 2xx before direction `dir`'s last delivery (the answer's own
   * delivery is still HTTP): what follows is the tunnelled protocol.
   */
  tunnelOpenBefore(dir: 0 | 1): boolean {
    return this.#framerOf(dir)?.startState === 'connect' || this.#framerOf(dir === 0 ? 1 : 0)?.state === 'connect';
  }

  /** The server spoke first (SMTP, FTP, POP3, IMAP, SSH do; HTTP never): its client's commands are no requests. */
  abandon(): void {
    this.framer(0).abandon();
  }

  requestHead(dir: 0 | 1, method: string, connectPort: number): void {
    if (method === 'CONNECT') this.#connectPort = connectPort;
    const methods = dir === 0 ? this.#methods0 : this.#methods1;
    if (methods === null) {
      // Made with its entry (room for one): a push into an empty array reserves room for 17.
      if (dir === 0) this.#methods0 = [method];
      else this.#methods1 = [method];
      return;
    }
    methods.push(method);
    if (methods.length > MAX_METHODS) methods.shift();
  }

  takeMethod(dir: 0 | 1): string {
    return (dir === 0 ? this.#methods1 : this.#methods0)?.shift() ?? '';
  }

  /**
   * In-order bytes of direction `dir` (0: the client's), `bytes[start, end)` (read in place),
   * received at `timeMs`; `fin`: the frame carrying them ended the direction.
   */
  bytes(
    dir: 0 | 1,
    bytes: Uint8Array,
    start: number,
    end: number,
    fin: boolean,
    timeMs: number,
    conn: C,
    sink: HttpExchangeSink<C>,
  ): void {
    this.#take(dir, this.framer(dir).pushBytes(bytes, start, end, fin), timeMs, conn, sink);
  }

  /** A FIN without data in direction `dir`: a body read to the close ends there. */
  fin(dir: 0 | 1, timeMs: number, conn: C, sink: HttpExchangeSink<C>): void {
    const framer = this.#framerOf(dir);
    if (framer !== null) this.#take(dir, framer.push(NO_BYTES, true), timeMs, conn, sink);
  }

  /** `n` bytes of direction `dir` were never captured (a gap given up): a body of known length skips them. */
  skip(dir: 0 | 1, n: number): void {
    this.#framerOf(dir)?.skip(n);
  }

  /** The streams ended: messages being read are finished as they stand, requests still waiting are reported. */
  end(timeMs: number, conn: C, sink: HttpExchangeSink<C>): void {
    if (this.#framer0 !== null) this.#take(0, this.#framer0.end(), timeMs, conn, sink);
    if (this.#framer1 !== null) this.#take(1, this.#framer1.end(), timeMs, conn, sink);
    const pending = this.#pending;
    this.#pending = null;
    if (pending !== null) for (const p of pending) this.#report(conn, sink, p.request, null, p.time);
  }

  #take(dir: 0 | 1, items: readonly Framed[], timeMs: number, conn: C, sink: HttpExchangeSink<C>): void {
    for (let i = 0; i < items.length; i++) {
      const item = items[i] as Framed;
      if (item.kind === 'junk') {
        if (item.report !== null) this.#request(item.report, timeMs, conn, sink);
      } else if (!item.request) this.#response(dir, item, conn, sink);
      else if (dir === 0) this.#request(item, timeMs, conn, sink);
    }
  }

  #request(request: CutRequest, timeMs: number, conn: C, sink: HttpExchangeSink<C>): void {
    const kept = this.transactions.length < this.#maxTransactions;
    const transaction = kept ? new HttpTransaction(request.raw, timeMs) : null;
    if (transaction !== null) {
      if (this.#transactions === null) this.#transactions = [transaction];
      else this.#transactions.push(transaction);
    }
    const pending: Pending = { request, time: timeMs, transaction };
    if (this.#pending === null) this.#pending = [pending];
    else this.#pending.push(pending);
    while (this.#pending.length > this.#maxPending) {
      const old = this.#pending.shift() as Pending;
      this.#report(conn, sink, old.request, null, old.time);
    }
  }

  #response(dir: 0 | 1, response: HttpMessage, conn: C, sink: HttpExchangeSink<C>): void {
    const status = Number.isNaN(response.status) ? 0 : response.status;
    if (status === 101 && response.upgrade?.includes('websocket')) this.webSocket = true;
    // Switched protocols: the other side is no HTTP from here on either. After a CONNECT
    // answered 2xx it may be: what follows the CONNECT is read as a request only if its line
    // ends in a version (./framer.ts), anything else is the tunnel.
    if (response.opens === 'opaque') this.framer(dir === 0 ? 1 : 0).abandon();
    if (response.opens === 'connect') {
      this.tunnelPort = this.#connectPort;
      this.proxyDirection = dir;
    }
    if (dir !== 1) return;
    if (status >= 100 && status < 200 && status !== 101) return;
    const p = this.#pending?.shift();
    if (!p) return;
    if (p.transaction !== null) p.transaction.status = status;
    this.#report(conn, sink, p.request, status, p.time);
  }

  #report(conn: C, sink: HttpExchangeSink<C>, request: CutRequest, status: number | null, timeMs: number): void {
    sink.request(conn, request, status, timeMs, ++this.#reported);
  }
}
