import { type ClientRequest, request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';
import { clientResponseFields, type Hop, upstreamRequestHeaders } from './headers.js';
import { BAD_GATEWAY_UPGRADE } from './responses.js';

export interface TunnelOptions {
  readonly upstream: URL;
  readonly path: string;
  readonly hop: Hop;
  /** Keep the upgrade (an allowed protocol); false sends the request as plain HTTP. */
  readonly upgrade: boolean;
  readonly connectTimeoutMs: number;
  readonly idleMs: number;
}

/**
 * An upgrade request (WebSocket) passed to the configured upstream — never to a host the request
 * names. The client's bytes after its request are held, unread, until the upstream answers
 * `101 Switching Protocols`; only then are the two connections joined. Any other answer is
 * passed back with `Connection: close` and the connection ends there, so nothing the client
 * sent after the request (a smuggled `CONNECT`, an absolute-form probe) reaches the upstream
 * unjudged. Returns the upstream request, to be aborted when the source is banned.
 */
export function openTunnel(req: IncomingMessage, client: Duplex, held: Buffer, options: TunnelOptions): ClientRequest {
  const { upstream } = options;
  const tls = upstream.protocol === 'https:';
  const basePath = upstream.pathname === '/' ? '' : upstream.pathname.replace(/\/$/, '');
  const headers = upstreamRequestHeaders(req.rawHeaders, {
    ...options.hop,
    defaultHost: upstream.host,
    upgrade: options.upgrade,
  });
  client.pause();
  const out = (tls ? httpsRequest : httpRequest)({
    protocol: upstream.protocol,
    hostname: upstream.hostname.replace(/^\[|\]$/g, ''),
    port: upstream.port || (tls ? 443 : 80),
    method: req.method,
    path: basePath + options.path,
    headers,
    agent: false,
    timeout: options.connectTimeoutMs,
    ...(tls ? { servername: upstream.hostname } : {}),
  });
  let answered = false;
  out.once('timeout', () => out.destroy(new Error('upstream timeout')));
  out.once('error', () => {
    if (!answered && client.writable) client.end(BAD_GATEWAY_UPGRADE);
    else client.destroy();
  });
  client.once('close', () => out.destroy());
  out.once('upgrade', (res: IncomingMessage, upSocket: Duplex, upHead: Buffer) => {
    answered = true;
    client.write(responseHead(res, false));
    if (upHead.length > 0) client.write(upHead);
    if (held.length > 0) upSocket.write(held);
    join(client, upSocket, options.idleMs);
  });
  out.once('response', (res: IncomingMessage) => {
    answered = true;
    // Not switched: the answer goes back and the connection ends with it.
    client.write(responseHead(res, true));
    res.on('data', (chunk: Buffer) => client.write(chunk));
    res.once('end', () => client.end());
    res.once('error', () => client.destroy());
  });
  out.end();
  return out;
}

/** The upstream's status line and headers as the client gets them (hop-by-hop fields dropped unless switching). */
function responseHead(res: IncomingMessage, close: boolean): string {
  let text = `HTTP/1.1 ${res.statusCode} ${res.statusMessage ?? ''}\r\n`;
  if (close) {
    const fields = clientResponseFields(res.rawHeaders);
    for (let i = 0; i < fields.length; i += 2) text += `${fields[i]}: ${fields[i + 1]}\r\n`;
    text += 'connection: close\r\n';
  } else {
    const raw = res.rawHeaders;
    for (let i = 0; i + 1 < raw.length; i += 2) text += `${raw[i]}: ${raw[i + 1]}\r\n`;
  }
  return `${text}\r\n`;
}

/** Splice the two connections; either side closing or both idle for `idleMs` ends both. */
function join(client: Duplex, up: Duplex, idleMs: number): void {
  const end = (): void => {
    client.destroy();
    up.destroy();
  };
  const timer = setTimeout(end, idleMs);
  timer.unref();
  const touch = (): void => {
    timer.refresh();
  };
  client.on('data', touch);
  up.on('data', touch);
  client.once('close', () => {
    clearTimeout(timer);
    up.destroy();
  });
  up.once('close', () => {
    clearTimeout(timer);
    client.destroy();
  });
  up.on('error', end);
  client.pipe(up);
  up.pipe(client);
  client.resume();
}
