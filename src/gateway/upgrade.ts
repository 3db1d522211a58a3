import type { IncomingMessage } from 'node:http';
import { connect as netConnect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { type Hop, upstreamRequestHeaders } from './headers.js';
import { BAD_GATEWAY_UPGRADE } from './responses.js';

/**
 * Pass an upgrade (WebSocket) through to the configured upstream and then splice the two
 * sockets. The connection target comes from the gateway's config only — never from the request.
 */
export function tunnelUpgrade(
  req: IncomingMessage,
  client: Duplex,
  head: Buffer,
  upstream: URL,
  path: string,
  hop: Hop,
  connectTimeoutMs: number,
): Socket {
  const tlsUpstream = upstream.protocol === 'https:';
  const host = upstream.hostname.replace(/^\[|\]$/g, '');
  const port = Number(upstream.port) || (tlsUpstream ? 443 : 80);
  const up: Socket = tlsUpstream ? tlsConnect({ host, port, servername: host }) : netConnect({ host, port });
  const basePath = upstream.pathname === '/' ? '' : upstream.pathname.replace(/\/$/, '');
  const headers = upstreamRequestHeaders(req.rawHeaders, { ...hop, defaultHost: upstream.host, upgrade: true });
  let text = `${req.method} ${basePath}${path} HTTP/1.1\r\n`;
  for (let i = 0; i < headers.length; i += 2) text += `${headers[i]}: ${headers[i + 1]}\r\n`;
  up.write(`${text}\r\n`, 'latin1');
  if (head.length > 0) up.write(head);

  let answered = false;
  up.setTimeout(connectTimeoutMs, () => up.destroy(new Error('upstream connect timeout')));
  up.once(tlsUpstream ? 'secureConnect' : 'connect', () => up.setTimeout(0));
  up.once('data', () => {
    answered = true;
  });
  up.on('error', () => {
    if (!answered && client.writable) client.end(BAD_GATEWAY_UPGRADE);
    else client.destroy();
  });
  client.on('error', () => up.destroy());
  up.on('close', () => {
    if (answered) client.destroy();
  });
  client.on('close', () => up.destroy());
  up.pipe(client);
  client.pipe(up);
  return up;
}
