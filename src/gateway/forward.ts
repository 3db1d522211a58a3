import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { Pool } from 'undici';
import type { Limits, Timeouts } from '../config/gatewayConfig.js';
import { clientResponseHeaders, type Hop, upstreamRequestHeaders } from './headers.js';
import { upstreamErrorPage } from './responses.js';
import type { GatewayStats } from './stats.js';

/** Where to send a request upstream: its path, and for an absolute-form target naming this site, its authority as Host. */
export interface UpstreamTarget {
  readonly path: string;
  readonly authority?: string;
}

/** A request body as the forwarder sends it: read whole, or a judged prefix and the rest streaming. */
export type ForwardBody = Buffer | Readable | null;

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
  #inFlight = 0;

  constructor(origin: URL, timeouts: Timeouts, limits: Pick<Limits, 'upstreamConnections' | 'upstreamQueue'>) {
    this.origin = origin;
    this.#basePath = origin.pathname === '/' ? '' : origin.pathname.replace(/\/$/, '');
    this.#defaultHost = origin.host;
    this.#capacity = limits.upstreamConnections + limits.upstreamQueue;
    this.#pool = new Pool(origin.origin, {
      connections: limits.upstreamConnections,
      pipelining: 1,
      keepAliveTimeout: 4_000,
      headersTimeout: timeouts.upstreamHeadersMs,
      bodyTimeout: timeouts.upstreamBodyMs,
      connectTimeout: timeouts.upstreamConnectMs,
    });
  }

  /** Every connection busy and the queue behind them full: a new request gets 503. */
  get full(): boolean {
    return this.#inFlight >= this.#capacity;
  }

  /**
   * Forward one request: the body goes as read (whole, or prefix then stream) and the response
   * streams back under back-pressure. `onStatus` hears the upstream's status as its answer
   * starts; `stats` get its latency, or the failure.
   */
  forward(
    req: IncomingMessage,
    res: ServerResponse,
    target: UpstreamTarget,
    hop: Hop,
    body: ForwardBody,
    onStatus: (status: number) => void,
    stats: GatewayStats,
  ): void {
    const started = performance.now();
    const headers = upstreamRequestHeaders(req.rawHeaders, {
      ...hop,
      defaultHost: this.#defaultHost,
      ...(target.authority !== undefined ? { authority: target.authority } : {}),
    });
    this.#inFlight++;
    this.#pool
      .stream(
        { method: req.method as string, path: this.#basePath + target.path, headers, body },
        ({ statusCode, headers: h }) => {
          stats.upstreamLatency.observe((performance.now() - started) / 1000);
          onStatus(statusCode);
          res.writeHead(statusCode, clientResponseHeaders(h as Record<string, string | string[] | undefined>));
          return res;
        },
      )
      .catch((err: unknown) => {
        // A client that went away is not the upstream's failure.
        if (!res.destroyed) stats.upstreamErrors++;
        failForward(res, err);
      })
      .finally(() => {
        this.#inFlight--;
      });
  }

  async close(): Promise<void> {
    await this.#pool.close();
  }

  destroy(): Promise<void> {
    return this.#pool.destroy();
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
