import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { type Dispatcher, errors, Pool } from 'undici';
import type { Limits, Timeouts } from '../config/gatewayConfig.js';
import type { HttpObservation } from '../observe/observation.js';
import type { GatewayResponse } from './gatewayResponse.js';
import { clientResponseFields, type Hop, upstreamRequestHeaders } from './headers.js';
import { afterHeld, type BanHeld } from './replies.js';
import { upstreamErrorPage } from './responses.js';
import type { GatewayStats } from './stats.js';
import { UpstreamWaits, type Wait, type Waiter } from './upstreamWaits.js';

/** Where to send a request upstream: its path, and for an absolute-form target naming this site, its authority as Host. */
export interface UpstreamTarget {
  readonly path: string;
  readonly authority?: string;
}

/** A request body as the forwarder sends it: read whole, or a judged prefix and the rest streaming. */
export type ForwardBody = Buffer | Readable | null;

/**
 * Hears each forwarded request's status as its answer starts (the behaviours count answers);
 * a ban the answer completed that siblings are still being told of holds the answer back.
 */
export interface AnswerListener {
  answered(observation: HttpObservation, status: number): BanHeld;
}

/**
 * The one place the gateway sends requests: a keep-alive pool to the configured upstream
 * origin. Nothing here takes a host from the request, so no request can make the gateway
 * connect anywhere else.
 */
export class Upstream {
  readonly origin: URL;
  readonly #pool: Pool;
  readonly #basePath: string;
  readonly #defaultHost: string;
  readonly #capacity: number;
  /** The head and body time limits, kept here rather than by undici's timers per request. */
  readonly #waits: UpstreamWaits;
  #inFlight = 0;

  constructor(origin: URL, timeouts: Timeouts, limits: Pick<Limits, 'upstreamConnections' | 'upstreamQueue'>) {
    this.origin = origin;
    this.#basePath = origin.pathname === '/' ? '' : origin.pathname.replace(/\/$/, '');
    this.#defaultHost = origin.host;
    this.#capacity = limits.upstreamConnections + limits.upstreamQueue;
    this.#waits = new UpstreamWaits({ headMs: timeouts.upstreamHeadersMs, bodyMs: timeouts.upstreamBodyMs });
    this.#pool = new Pool(origin.origin, {
      connections: limits.upstreamConnections,
      pipelining: 1,
      keepAliveTimeout: 4_000,
      // 0: no timers of undici's per request; ./upstreamWaits.ts keeps these limits.
      headersTimeout: 0,
      bodyTimeout: 0,
      connectTimeout: timeouts.upstreamConnectMs,
    });
  }

  /** Every connection busy and the queue behind them full: a new request gets 503. */
  get full(): boolean {
    return this.#inFlight >= this.#capacity;
  }

  /**
   * Forward one request: the body goes as read (whole, or prefix then stream) and the response
   * streams back under back-pressure. `listener` hears the upstream's status (with the
   * request's `observation`) as its answer starts; `stats` get its latency, or the failure.
   */
  forward(
    req: IncomingMessage,
    res: GatewayResponse,
    target: UpstreamTarget,
    hop: Hop,
    body: ForwardBody,
    observation: HttpObservation,
    listener: AnswerListener,
    stats: GatewayStats,
  ): void {
    const headers = upstreamRequestHeaders(req.rawHeaders, {
      peer: hop.peer,
      trustedPeer: hop.trustedPeer,
      scheme: hop.scheme,
      defaultHost: this.#defaultHost,
      authority: target.authority,
    });
    this.#inFlight++;
    const forwarding = new Forwarding(res, observation, listener, stats, this);
    this.#waits.add(forwarding);
    // The response's one 'close' listener (./gatewayResponse.ts) stops the fetch if the client goes first.
    res.forwarding = forwarding;
    this.#pool.dispatch(
      { method: req.method as string, path: this.#basePath + target.path, headers, body },
      forwarding,
    );
  }

  /** A request forwarded by `forward` has its answer, or has failed (called once per request by its Forwarding). */
  settled(forwarding: Waiter): void {
    this.#inFlight--;
    this.#waits.remove(forwarding);
  }

  async close(): Promise<void> {
    await this.#pool.close();
    this.#waits.stop();
  }

  destroy(): Promise<void> {
    this.#waits.stop();
    return this.#pool.destroy();
  }
}

/**
 * One request in flight upstream, as undici's dispatch handler: the answer's status and raw
 * header list go straight to `res.writeHead`, its chunks to `res.write` (pausing undici while
 * the client's buffer is full). This is what `pool.stream` does, without its per-request
 * AsyncResource, promise, parsed header object and `finished()` listeners: the gateway's
 * hot path. (undici 7 calls these handler methods as before; they are its "legacy" form.)
 */
export class Forwarding implements Dispatcher.DispatchHandler, Waiter {
  readonly #res: ServerResponse;
  readonly #observation: HttpObservation;
  readonly #listener: AnswerListener;
  readonly #stats: GatewayStats;
  readonly #upstream: Pick<Upstream, 'settled'>;
  readonly #started = performance.now();
  #abort: ((err?: Error) => void) | null = null;
  #resume: (() => void) | null = null;
  /** The ban this answer completed, while sibling processes are told of it: the answer waits. */
  #held: BanHeld = null;
  #done = false;
  // Waiter (./upstreamWaits.ts): nothing until the request is sent, then the head, then each chunk.
  wait: Wait = 'nothing';
  waitingSince = 0;
  previousWaiter: Waiter | null = null;
  nextWaiter: Waiter | null = null;

  constructor(
    res: ServerResponse,
    observation: HttpObservation,
    listener: AnswerListener,
    stats: GatewayStats,
    upstream: Pick<Upstream, 'settled'>,
  ) {
    this.#res = res;
    this.#observation = observation;
    this.#listener = listener;
    this.#stats = stats;
    this.#upstream = upstream;
  }

  /** The client's response closed while the answer is still coming: stop fetching it. */
  clientClosed(): void {
    if (!this.#done) this.#abort?.();
  }

  onConnect(abort: (err?: Error) => void): void {
    this.#abort = abort;
    if (this.#res.destroyed) abort();
  }

  /** The request's last byte is written: the upstream's head is due within its limit. */
  onRequestSent(): void {
    this.#waitFor('head');
  }

  /** Past the limit: undici ends the request with the error its own timer would have raised. */
  timedOut(wait: Exclude<Wait, 'nothing'>): void {
    this.#abort?.(wait === 'head' ? new errors.HeadersTimeoutError() : new errors.BodyTimeoutError());
  }

  onHeaders(statusCode: number, raw: Buffer[], resume: () => void): boolean {
    // 1xx: node's server sends its own 100 Continue; other interim answers are not passed on.
    if (statusCode < 200) {
      this.#waitFor('head');
      return true;
    }
    this.#waitFor('body');
    this.#stats.upstreamLatency.observe((performance.now() - this.#started) / 1000);
    const held = this.#listener.answered(this.#observation, statusCode);
    this.#resume = resume;
    if (held !== null) return this.#answerOnceHeld(held, statusCode, raw, resume);
    this.#res.writeHead(statusCode, clientResponseFields(raw));
    return true;
  }

  /** The answer's head once every sibling holds the ban; undici pauses until then (false). */
  #answerOnceHeld(held: Promise<void>, statusCode: number, raw: Buffer[], resume: () => void): boolean {
    this.#held = held.then(() => {
      this.#held = null;
      if (this.#res.headersSent || this.#res.destroyed) return;
      this.#res.writeHead(statusCode, clientResponseFields(raw));
      resume();
    });
    return false;
  }

  onData(chunk: Buffer): boolean {
    this.waitingSince = performance.now();
    if (this.#res.write(chunk)) return true;
    // undici pauses this connection until the client has read what is buffered; meanwhile the
    // upstream is not waited on (the client's send timeout applies), as with undici's timer.
    const resume = this.#resume;
    if (resume !== null) {
      this.wait = 'nothing';
      this.#res.once('drain', () => {
        this.#waitFor('body');
        resume();
      });
    }
    return false;
  }

  onComplete(): void {
    this.#finish();
    if (this.#held === null) this.#res.end();
    // A HEAD's answer completes at once, paused or not: its end follows its head.
    else void this.#held.then(() => this.#res.end());
  }

  onError(err: Error): void {
    this.#finish();
    // A client that went away is not the upstream's failure.
    if (!this.#res.destroyed) this.#stats.upstreamErrors++;
    afterHeld(this.#held, () => failForward(this.#res, err));
  }

  #waitFor(wait: Wait): void {
    this.wait = wait;
    this.waitingSince = performance.now();
  }

  #finish(): void {
    this.#done = true;
    this.#upstream.settled(this);
  }
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'ETIMEDOUT']);

/** 504 when the upstream was too slow, 502 for anything else; a broken stream is just cut. */
function failForward(res: ServerResponse, err: unknown): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  const code = (err as { code?: string }).code ?? '';
  const status = TIMEOUT_CODES.has(code) ? 504 : 502;
  const body = upstreamErrorPage(status);
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
