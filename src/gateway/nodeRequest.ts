import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { unmapIPv4 } from '../defense/address.js';
import type { HttpObservation, HttpRequest } from '../observe/observation.js';
import type { Client } from './clientIdentity.js';
import type { UpstreamTarget } from './forward.js';

/** What node's parser made of a request, in the forms the request path works with. */

/** The gateway's Observation of a request, from `client`, on the listener `socket` reached. */
export function observationOf(request: HttpRequest, socket: Socket, client: Client): HttpObservation {
  return {
    kind: 'http',
    transport: 'tcp',
    time: Date.now(),
    sensor: 'gateway',
    source: { ip: client.ip, port: client.port },
    destination: { ip: unmapIPv4(socket.localAddress ?? ''), port: socket.localPort ?? 0 },
    request,
    status: null,
  };
}

export function upstreamTarget(req: IncomingMessage, request: HttpRequest): UpstreamTarget {
  if (request.form === 'origin') return { path: req.url as string };
  const path = `${request.path || '/'}${request.query ? `?${request.query}` : ''}`;
  const a = request.authority;
  if (a === null) return { path };
  const host = a.host.includes(':') ? `[${a.host}]` : a.host;
  return { path, authority: a.port === null ? host : `${host}:${a.port}` };
}

/**
 * The request line as node's parser accepted it (single spaces; the parser allows nothing
 * else). llhttp takes a line without a version as HTTP/0.9: that line carried no version.
 */
export function requestLine(req: IncomingMessage): string {
  if (req.httpVersionMajor === 0) return `${req.method} ${req.url}`;
  return `${req.method} ${req.url} HTTP/${req.httpVersion}`;
}

/**
 * node's raw [name, value, …] list as pairs, names lower-cased as the Observation keeps them:
 * `buildHttpRequest` then takes the list as it is instead of copying it pair by pair (clients
 * write `Host`, `User-Agent`).
 */
export function headerPairs(raw: readonly string[]): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([(raw[i] as string).toLowerCase(), raw[i + 1] as string]);
  return pairs;
}
