import type { Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { unmapIPv4 } from '../defense/address.js';
import type { ClientIdentity } from './clientIdentity.js';
import { parseProxyHeader } from './proxyProtocol.js';
import { type SourceLimits, sourceKey } from './sourceLimits.js';

/** What the accept guard asks of the rest of the gateway. */
export interface AcceptPolicy {
  /** True when the address is banned; the drop is counted by the callee. */
  dropIfBanned(address: string | undefined, port: number | undefined): boolean;
  /** A source held more connections than its share: counted as a strike. */
  overLimit(socket: Socket, address: string, port: number): void;
  readonly identity: ClientIdentity;
  readonly limits: SourceLimits;
  readonly proxyProtocol: boolean;
  readonly headersMs: number;
}

/**
 * The first of the gateway's three parts: what happens to a TCP connection before any HTTP.
 * Node's own connection listener (which allocates an HTTP parser) is wrapped so a banned
 * source's socket is reset before anything is allocated for it — RST rather than FIN: no
 * TIME_WAIT on our side, and the bot learns nothing but that the door is shut. A source over
 * its share of connections is reset too; a balancer's connection must first name its client
 * in a PROXY header.
 */
export function guardAccept(server: Server | HttpsServer, policy: AcceptPolicy): void {
  const nodeListeners = server.listeners('connection') as Array<(socket: Socket) => void>;
  server.removeAllListeners('connection');
  const proceed = (socket: Socket): void => {
    for (const l of nodeListeners) l.call(server, socket);
  };
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress;
    // No address: the peer reset the connection before we looked; there is no one to serve.
    if (address === undefined) {
      socket.destroy();
      return;
    }
    if (policy.identity.isTrusted(address)) {
      if (policy.proxyProtocol) readProxyHeader(socket, policy, proceed);
      else proceed(socket);
      return;
    }
    if (policy.dropIfBanned(address, socket.remotePort)) {
      socket.resetAndDestroy();
      return;
    }
    if (!countConnection(socket, address, policy)) return;
    proceed(socket);
  });
}

/** Count the connection against its source's share until it closes; false when over it (reset). */
function countConnection(socket: Socket, address: string, policy: AcceptPolicy): boolean {
  const key = sourceKey(address);
  if (!policy.limits.openConnection(key)) {
    policy.overLimit(socket, unmapIPv4(address), socket.remotePort ?? 0);
    socket.resetAndDestroy();
    return false;
  }
  socket.once('close', () => policy.limits.closeConnection(key));
  return true;
}

/**
 * A balancer's connection starts with a PROXY protocol header naming the client: read it
 * (bounded in size, and in time by the headers timeout), drop the client there if it is
 * banned, as at accept, and otherwise hand the connection on with the bytes after the header
 * put back. A connection without a valid header is closed unanswered.
 */
function readProxyHeader(socket: Socket, policy: AcceptPolicy, proceed: (socket: Socket) => void): void {
  let buffered: Buffer = Buffer.alloc(0);
  const timer = setTimeout(() => socket.destroy(), policy.headersMs);
  const onReadable = (): void => {
    for (let chunk: Buffer | null = socket.read(); chunk !== null; chunk = socket.read())
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    const header = parseProxyHeader(buffered);
    if (header.kind === 'incomplete') return;
    socket.off('readable', onReadable);
    clearTimeout(timer);
    if (header.kind === 'invalid') {
      socket.destroy();
      return;
    }
    if (header.client !== null) {
      const client = { ip: unmapIPv4(header.client.ip), port: header.client.port };
      if (policy.dropIfBanned(client.ip, client.port)) {
        socket.resetAndDestroy();
        return;
      }
      if (!countConnection(socket, client.ip, policy)) return;
      policy.identity.rememberProxied(socket, client);
    }
    if (buffered.length > header.length) socket.unshift(buffered.subarray(header.length));
    proceed(socket);
  };
  socket.on('readable', onReadable);
  socket.once('error', () => socket.destroy());
  socket.once('close', () => clearTimeout(timer));
}
