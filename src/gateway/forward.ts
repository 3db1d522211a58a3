import type { IncomingMessage, ServerResponse } from 'node:http';
import { Pool } from 'undici';
import type { Timeouts } from '../config/gatewayConfig.js';
import { clientResponseHeaders, type Hop, upstreamRequestHeaders } from './headers.js';
import { upstreamErrorPage } from './responses.js';

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

  constructor(origin: URL, timeouts: Timeouts, connections = 64) {
    this.origin = origin;
    this.#basePath = origin.pathname === '/' ? '' : origin.pathname.replace(/\/$/, '');
    this.#defaultHost = origin.host;
    this.#pool = new Pool(origin.origin, {
      connections,
      pipelining: 1,
      keepAliveTimeout: 4_000,
      headersTimeout: timeouts.upstreamHeadersMs,
      bodyTimeout: timeouts.upstreamBodyMs,
      connectTimeout: timeouts.upstreamConnectMs,
    });
  }

  /**
   * Forward one request: the body streams from the client to the upstream and the response
   * streams back, each under back-pressure, so a 1 GB upload holds no more than a few buffers.
   * `onStatus` hears the upstream's status as its answer starts.
   */
  forward(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    hop: Hop,
    onStatus?: (status: number) => void,
  ): void {
    const hasBody =
      req.headers['content-length'] !== undefined
        ? req.headers['content-length'] !== '0'
        : req.headers['transfer-encoding'] !== undefined;
    const headers = upstreamRequestHeaders(req.rawHeaders, { ...hop, defaultHost: this.#defaultHost });
    this.#pool
      .stream(
        {
          method: req.method as string,
          path: this.#basePath + path,
          headers,
          body: hasBody ? req : null,
        },
        ({ statusCode, headers: upstreamHeaders }) => {
          onStatus?.(statusCode);
          res.writeHead(
            statusCode,
            clientResponseHeaders(upstreamHeaders as Record<string, string | string[] | undefined>),
          );
          return res;
        },
      )
      .catch((err: unknown) => failForward(res, err));
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
