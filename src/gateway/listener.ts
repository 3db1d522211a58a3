import { createServer, IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { GatewayConfig } from '../config/gatewayConfig.js';
import type { Exchange } from './exchange.js';
import { GatewayResponse } from './gatewayResponse.js';
import type { TlsCredentials } from './listen.js';
import type { GatewayStats } from './stats.js';

/** node's HTTP (or HTTPS) server making the gateway's responses. */
export type GatewayServer =
  | Server<typeof IncomingMessage, typeof GatewayResponse>
  | HttpsServer<typeof IncomingMessage, typeof GatewayResponse>;

/**
 * The plain listener, or with `credentials` the HTTPS one: node's HTTP server with the
 * gateway's timeouts and limits, every event it raises handed to the request path. Its
 * responses are `responses` (a pool worker's balance their connections: ./cluster/balancedResponse.ts).
 */
export function createListener(
  config: GatewayConfig,
  credentials: TlsCredentials | null,
  exchange: Exchange,
  stats: GatewayStats,
  responses: typeof GatewayResponse = GatewayResponse,
): GatewayServer {
  const t = config.timeouts;
  const options = {
    headersTimeout: Math.min(t.headersMs, t.requestMs),
    requestTimeout: t.requestMs,
    keepAliveTimeout: t.keepAliveMs,
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(t.headersMs / 4))),
    requireHostHeader: false,
    noDelay: true,
    // Explicit, so NODE_OPTIONS=--insecure-http-parser cannot make the gateway lenient about framing.
    insecureHTTPParser: false,
    IncomingMessage,
    ServerResponse: responses,
  };
  const server = credentials
    ? createHttpsServer({ ...options, ...credentials, handshakeTimeout: t.tlsHandshakeMs })
    : createServer(options);
  server.keepAliveTimeout = t.keepAliveMs;
  server.maxConnections = config.limits.maxConnections;
  // A client that reads nothing of its answer for this long is cut off (send_timeout).
  server.timeout = t.sendMs;
  server.on('timeout', (socket: Socket) => onSocketTimeout(socket, stats));
  const x = exchange;
  server.on('request', (req: IncomingMessage, res: GatewayResponse) => x.onRequest(req, res));
  server.on('checkContinue', (req: IncomingMessage, res: GatewayResponse) => x.onRequest(req, res, 'continue'));
  server.on('checkExpectation', (req: IncomingMessage, res: GatewayResponse) => x.onRequest(req, res, 'other'));
  server.on('connect', (req: IncomingMessage, socket: Duplex, head: Buffer) => x.onConnect(req, socket, head));
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => x.onUpgrade(req, socket, head));
  server.on('clientError', (err: Error, socket: Duplex) => x.onClientError(err, socket as Socket));
  return server;
}

/**
 * Inactivity on a connection: an idle keep-alive connection or a client that stopped reading
 * its answer is closed. A request still waiting for the upstream, or whose body is still
 * coming, is left to the upstream timeouts and the minimum body rate.
 */
function onSocketTimeout(socket: Socket, stats: GatewayStats): void {
  const res = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (res && !res.headersSent) return;
  if (res && !res.writableFinished) stats.sendTimeouts++;
  socket.destroy();
}
