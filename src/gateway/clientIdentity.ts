import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { unmapIPv4 } from '../defense/address.js';
import type { Allowlist } from '../defense/allowlist.js';
import { requestClient } from '../observe/forwardedClient.js';
import type { Hop } from './headers.js';

/** Who a request is from, and the connection it came in on. */
export interface Client {
  readonly ip: string;
  /** 0 when the client is named by a proxy's X-Forwarded-For (its port is not known). */
  readonly port: number;
  readonly hop: Hop;
}

/**
 * Who is on the other end: the TCP peer; the client a trusted balancer's PROXY header named
 * (as good as a direct connection); or, from a trusted proxy, the client its X-Forwarded-For
 * names. What an untrusted peer writes in those headers is never believed.
 */
export class ClientIdentity {
  readonly #trusted: Allowlist;
  /** Clients that PROXY protocol headers named, by their balancer connection (see connectionKey). */
  readonly #proxied = new Map<string, { readonly ip: string; readonly port: number }>();
  readonly #isTrusted = (ip: string): boolean => this.#trusted.has(ip);

  constructor(trusted: Allowlist) {
    this.#trusted = trusted;
  }

  isTrusted(address: string): boolean {
    return this.#trusted.has(address);
  }

  /** A balancer's connection carries this client (read from its PROXY header) until it closes. */
  rememberProxied(socket: Socket, client: { readonly ip: string; readonly port: number }): void {
    const key = connectionKey(socket);
    this.#proxied.set(key, client);
    socket.once('close', () => this.#proxied.delete(key));
  }

  /** `headers`: the request's fields, [] when nothing was parsed (the peer it is then). */
  of(socket: Socket, headers: ReadonlyArray<readonly [string, string]>): Client {
    const scheme = (socket as TLSSocket).encrypted === true ? 'https' : 'http';
    const proxied = this.#proxied.size > 0 ? this.#proxied.get(connectionKey(socket)) : undefined;
    if (proxied !== undefined) return { ...proxied, hop: { peer: proxied.ip, trustedPeer: false, scheme } };
    const peer = unmapIPv4(socket.remoteAddress ?? '');
    const trustedPeer = this.#trusted.has(peer);
    const hop: Hop = { peer, trustedPeer, scheme };
    if (!trustedPeer) return { ip: peer, port: socket.remotePort ?? 0, hop };
    const ip = requestClient(peer, headers, this.#isTrusted);
    return { ip, port: ip === peer ? (socket.remotePort ?? 0) : 0, hop };
  }
}

/** A TCP connection's name while it is open: the balancer's address and port (a TLS socket reports its own). */
function connectionKey(socket: Socket): string {
  return `${socket.remoteAddress}|${socket.remotePort}`;
}
