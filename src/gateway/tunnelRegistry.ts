import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { GatewayConfig } from '../config/gatewayConfig.js';
import type { Client } from './clientIdentity.js';
import type { UpstreamTarget } from './forward.js';
import { afterPending } from './replies.js';
import type { GatewayStats } from './stats.js';
import { openTunnel } from './tunnel.js';

/**
 * The third part's long-lived half: upgraded connections, each tied to the client it was opened
 * for, so that a ban closes them at once and shutdown can find them.
 */
export class TunnelRegistry {
  readonly #config: GatewayConfig;
  readonly #stats: GatewayStats;
  readonly #open = new Map<Duplex, { readonly ip: string; readonly upstream: ClientRequest }>();

  constructor(config: GatewayConfig, stats: GatewayStats) {
    this.#config = config;
    this.#stats = stats;
  }

  get size(): number {
    return this.#open.size;
  }

  /** Open a tunnel once earlier answers on the connection are out (pipelined requests keep their order). */
  open(
    req: IncomingMessage,
    socket: Duplex,
    held: Buffer,
    client: Client,
    target: UpstreamTarget,
    how: { upgrade: boolean },
  ): void {
    socket.pause();
    afterPending(socket, () => {
      if (socket.destroyed) return;
      const upstream = openTunnel(req, socket, held, {
        upstream: this.#config.upstream,
        path: target.path,
        hop: client.hop,
        upgrade: how.upgrade,
        connectTimeoutMs: this.#config.timeouts.upstreamConnectMs,
        idleMs: this.#config.timeouts.tunnelIdleMs,
      });
      this.#open.set(socket, { ip: client.ip, upstream });
      socket.once('close', () => this.#open.delete(socket));
    });
  }

  /** Close every tunnel whose client `isBanned` now names. */
  closeBanned(isBanned: (ip: string) => boolean): void {
    for (const [socket, t] of this.#open) {
      if (!isBanned(t.ip)) continue;
      this.#stats.tunnelsClosedByBan++;
      t.upstream.destroy();
      socket.destroy();
    }
  }

  closeAll(): void {
    for (const [socket, t] of this.#open) {
      t.upstream.destroy();
      socket.destroy();
    }
  }
}
