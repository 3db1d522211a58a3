import { HttpTransaction } from '../../evidence/httpRecords.js';
import { type CutRequest, type CutResponse, RequestCutter, ResponseCutter } from './cutter.js';

/** Where the HTTP read off a connection's streams goes: each request once, with its answer's status when one came. */
export interface HttpExchangeSink<C> {
  request(conn: C, request: CutRequest, status: number | null, timeMs: number): void;
}

interface Pending {
  readonly request: CutRequest;
  readonly time: number;
  /** Its evidence, while there is room for it. */
  readonly transaction: HttpTransaction | null;
}

/** HTTP requests kept per connection as evidence. */
const MAX_TRANSACTIONS = 16;
const NO_TRANSACTIONS: readonly HttpTransaction[] = [];

/**
 * HTTP/1.x as a connection's endpoints received it: requests cut from the client's in-order
 * stream, responses from the server's, paired in order, and each request reported once — with
 * its status when the response came, without when it never did (the connection ended, or too
 * many waited). What the rule engine and the behaviours read; the first few requests are kept
 * as the connection's http.log evidence.
 */
export class HttpStream<C> {
  readonly #requests: RequestCutter;
  /** Made with the server's first bytes: many connections end before any. */
  #responses: ResponseCutter | null = null;
  readonly #pending: Pending[] = [];
  /** Methods of requests whose response head has not been read yet (the response cutter takes them). */
  readonly #methods: string[] = [];
  readonly #maxPending: number;
  /** None until a first request: most connections carry none worth an array. */
  #transactions: HttpTransaction[] | null = null;

  /** `reportNonHttp`: HTTP by port, where what the client sends is reported even when it is no HTTP. */
  constructor(reportNonHttp: boolean, maxPending: number) {
    this.#requests = new RequestCutter(reportNonHttp);
    this.#maxPending = maxPending;
  }

  get transactions(): readonly HttpTransaction[] {
    return this.#transactions ?? NO_TRANSACTIONS;
  }

  /** A request was read: the connection is HTTP (Zeek's `service`). */
  get seen(): boolean {
    // Every first request is kept: the transactions exist from the first one on.
    return this.#transactions !== null;
  }

  /** The server spoke first (SMTP, FTP, POP3, IMAP, SSH do; HTTP never): its client's commands are no requests. */
  abandon(): void {
    this.#requests.abandon();
  }

  /** In-order bytes of direction `dir` (0: the client's), received at `timeMs`. */
  bytes(dir: 0 | 1, chunk: Uint8Array, timeMs: number, conn: C, sink: HttpExchangeSink<C>): void {
    if (dir === 0) {
      const requests = this.#requests.push(chunk);
      for (let i = 0; i < requests.length; i++) this.#request(requests[i] as CutRequest, timeMs, conn, sink);
      return;
    }
    this.#responses ??= new ResponseCutter(() => this.#methods.shift());
    const responses = this.#responses.push(chunk);
    for (let i = 0; i < responses.length; i++) this.#response(responses[i] as CutResponse, conn, sink);
  }

  /** `n` bytes of direction `dir` were never captured (a gap given up): a body of known length skips them. */
  skip(dir: 0 | 1, n: number): void {
    if (dir === 0) this.#requests.skip(n);
    else this.#responses?.skip(n);
  }

  /** The streams ended: messages being read are finished as they stand, requests still waiting are reported. */
  end(timeMs: number, conn: C, sink: HttpExchangeSink<C>): void {
    for (const r of this.#requests.end()) this.#request(r, timeMs, conn, sink);
    for (const r of this.#responses?.end() ?? []) this.#response(r, conn, sink);
    for (const p of this.#pending.splice(0)) sink.request(conn, p.request, null, p.time);
  }

  #request(request: CutRequest, timeMs: number, conn: C, sink: HttpExchangeSink<C>): void {
    const kept = this.transactions.length < MAX_TRANSACTIONS;
    const transaction = kept ? new HttpTransaction(request.raw, timeMs) : null;
    if (transaction !== null) {
      this.#transactions ??= [];
      this.#transactions.push(transaction);
    }
    this.#pending.push({ request, time: timeMs, transaction });
    this.#methods.push(request.method);
    if (this.#methods.length > this.#maxPending) this.#methods.shift();
    while (this.#pending.length > this.#maxPending) {
      const old = this.#pending.shift() as Pending;
      sink.request(conn, old.request, null, old.time);
    }
  }

  #response(response: CutResponse, conn: C, sink: HttpExchangeSink<C>): void {
    if (response.status >= 100 && response.status < 200 && response.status !== 101) return;
    const p = this.#pending.shift();
    if (!p) return;
    // Switched protocols, or a CONNECT answered 2xx: the client's side is a tunnel from here on.
    const tunnel = response.status === 101 || (response.status >= 200 && response.status < 300 && isConnect(p.request));
    if (tunnel) this.#requests.abandon();
    if (p.transaction !== null) p.transaction.status = response.status;
    sink.request(conn, p.request, response.status, p.time);
  }
}

function isConnect(request: CutRequest): boolean {
  return request.method.toUpperCase() === 'CONNECT';
}
