import type { Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { GatewayConfig } from '../config/gatewayConfig.js';
import { unmapIPv4 } from '../defense/address.js';
import { Allowlist } from '../defense/allowlist.js';
import { BanManager, type SyncBanStore } from '../defense/banManager.js';
import { SourceScores } from '../defense/sourceScores.js';
import { HttpBehaviour } from '../detect/behaviour/httpBehaviour.js';
import type { Engine } from '../detect/types.js';
import type { SecurityEvent } from '../events/securityEvent.js';
import { Honeypot } from '../honeypot/honeypot.js';
import { buildHttpRequest } from '../observe/httpRequest.js';
import type { HttpObservation } from '../observe/observation.js';
import type { EventStore } from '../store/types.js';
import { guardAccept } from './acceptGuard.js';
import { ClientIdentity } from './clientIdentity.js';
import { balancedResponse } from './cluster/balancedResponse.js';
import { ConnectionShare } from './cluster/connectionShare.js';
import type { PeerChannel } from './cluster/peerNews.js';
import { shareWithPeers } from './cluster/sharedState.js';
import { EventSink } from './eventSink.js';
import { Exchange } from './exchange.js';
import { Upstream } from './forward.js';
import { GatewayResponse } from './gatewayResponse.js';
import { type AcceptPath, guardListeningHandle } from './handleGuard.js';
import { listenOn, readCredentials, type TlsCredentials, urlOf } from './listen.js';
import { createListener } from './listener.js';
import { Recorder } from './recorder.js';
import { RequestPipeline } from './requestPipeline.js';
import { SourceLimits } from './sourceLimits.js';
import { type GatewayStats, newStats } from './stats.js';
import { TunnelRegistry } from './tunnelRegistry.js';

export { GatewayError } from './listen.js';

/** Where the gateway gets its rules: the catalog's EngineHolder, or anything shaped like it. */
export interface DetectionSource {
  readonly engine: Engine;
  readonly catalog?: { get(id: string): { readonly name: string } | undefined };
}

/** The stores the gateway writes to, opened by its caller (../store/). */
export interface GatewayStores {
  readonly events: EventStore;
  readonly bans: SyncBanStore;
}

export interface GatewayOptions {
  readonly config: GatewayConfig;
  readonly detection: DetectionSource;
  readonly stores: GatewayStores;
  /** Diagnostics (start-up, store errors). Defaults to stderr. */
  readonly log?: (line: string) => void;
  /** Called for every event as it is queued. */
  readonly onEvent?: (event: SecurityEvent) => void;
  /** false: never wrap node's listening handle, drop banned sources on the 'connection' event only. */
  readonly acceptFastPath?: boolean;
  /** Sibling gateway processes (`serve --workers`) to share bans, scores and behaviour counts with. */
  readonly peers?: PeerChannel | null;
}

/**
 * The inline gateway, in three parts: the accept guard (./acceptGuard.ts: bans, PROXY headers,
 * connection shares), the request path (./exchange.ts over the pure ./requestPipeline.ts), and
 * the forwarder and tunnels (./forward.ts, ./tunnel.ts). This class builds them from the config
 * and owns their lifetime. Refused requests get the 2003 incident's `400 Bad Request` and a closed
 * connection, and nothing of them leaves the gateway; the only host it ever connects to is
 * the configured upstream.
 */
export class Gateway {
  readonly config: GatewayConfig;
  readonly bans: BanManager;
  readonly events: EventSink;
  readonly stats: GatewayStats = newStats();
  /** How banned sources are dropped at accept (see ./handleGuard.ts). */
  acceptPath: AcceptPath = 'connection';
  readonly #server: Server;
  readonly #tlsServer: HttpsServer | null;
  readonly #upstream: Upstream;
  readonly #tunnels: TunnelRegistry;
  /** Play-along with proxy abuse, when `honeypot.enabled`. */
  readonly #honeypot: Honeypot | null;
  readonly #identity: ClientIdentity;
  readonly #siteNames: Set<string>;
  readonly #sitePorts = new Set<number>([80, 443]);
  readonly #exchange: Exchange;
  #closing: Promise<void> | null = null;
  #stopSharing: (() => void) | null = null;

  private constructor(options: GatewayOptions, credentials: TlsCredentials | null) {
    const config = options.config;
    this.config = config;
    const log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.#siteNames = new Set(config.site.siteNames);
    this.#identity = new ClientIdentity(new Allowlist(config.site.trustedProxies));
    this.events = new EventSink({
      store: options.stores.events,
      jsonLines: config.events,
      onError: (err) => log(`bansho: events: ${String(err)}`),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      // In a fleet, each event names the gateway that saw it.
      ...(config.store !== null ? { observer: config.name } : {}),
    });
    this.bans = new BanManager({
      store: options.stores.bans,
      policy: config.site.banPolicy,
      // The allowlist, and the proxies in front: a ban would shut out everyone behind them.
      allowlist: new Allowlist(config.site.neverBanned),
      emit: (event) => this.events.push(event),
      dropReportMs: config.dropReportIntervalMs,
      onError: (err) => log(`bansho: ban store: ${String(err)}`),
    });
    const limits = new SourceLimits({
      connectionsPerSource: config.limits.connectionsPerSource,
      requestsPerSource: config.limits.requestsPerSource,
      strikesToBan: config.limits.strikesToBan,
      strikeWindowMs: config.sourceScores.windowMs,
    });
    this.#upstream = new Upstream(config.upstream, config.timeouts, config.limits);
    this.#tunnels = new TunnelRegistry(config, this.stats);
    const isBanned = (ip: string): boolean => this.bans.isBanned(ip);
    // Every ban that takes effect here — made by this gateway or read from the store's change
    // log (another gateway, `bansho bans add`) — closes the source's upgraded connections.
    this.bans.onBan(() => this.#tunnels.closeBanned(isBanned));
    const detection = options.detection;
    this.#honeypot = config.honeypot.enabled
      ? Honeypot.open({
          settings: config.honeypot,
          emit: (event) => this.events.push(event),
          threatName: (id) => detection.catalog?.get(id)?.name,
        })
      : null;
    const ownBehaviour = new HttpBehaviour(config.site.behaviours);
    const ownScores = new SourceScores({
      threshold: config.sourceScores.banScore,
      windowMs: config.sourceScores.windowMs,
    });
    const shared = options.peers
      ? shareWithPeers(options.peers, { bans: this.bans, scores: ownScores, behaviour: ownBehaviour }, (err) =>
          log(`bansho: news from a sibling process: ${String(err)}`),
        )
      : null;
    this.#stopSharing = shared?.stop ?? null;
    const whenHeld = shared ? (address: string) => shared.whenHeld(address) : () => null;
    const recorder = new Recorder({
      whenHeld,
      bans: this.bans,
      events: this.events,
      behaviour: shared?.behaviour ?? ownBehaviour,
      limits,
      behaviourBans: config.behaviourBans,
      threatName: (id) => detection.catalog?.get(id)?.name,
    });
    const pipeline = new RequestPipeline(() => detection.engine, shared?.scores ?? ownScores, {
      blockScore: config.blockScore,
      onEngineError: config.onEngineError,
      engineFailed: (observation, err) => {
        this.stats.engineErrors++;
        log(
          `bansho: rule engine failed on ${JSON.stringify(observation.request.line.slice(0, 200))} from ${observation.source.ip} (${config.onEngineError === 'block' ? 'refused' : 'forwarded'}): ${String(err)}`,
        );
      },
    });
    this.#exchange = new Exchange({
      config,
      identity: this.#identity,
      site: { names: this.#siteNames, ports: this.#sitePorts, allowTrace: config.allowTrace },
      pipeline,
      bans: this.bans,
      limits,
      upstream: this.#upstream,
      recorder,
      tunnels: this.#tunnels,
      stats: this.stats,
      honeypot: this.#honeypot,
      whenHeld,
    });
    const accept = {
      dropIfBanned: (address: string | undefined, port: number | undefined) => this.#dropAtAccept(address, port),
      overLimit: (socket: Socket, ip: string, port: number) => {
        this.stats.overLimit++;
        recorder.breach(connectionObservation(socket, ip, port), 'too-many-connections', null);
      },
      identity: this.#identity,
      limits,
      proxyProtocol: config.proxyProtocol,
      headersMs: config.timeouts.headersMs,
    };
    // A pool worker keeps its share of the pool's connections, HTTP and HTTPS together.
    const share = options.peers ? new ConnectionShare((count) => options.peers?.holding(count)) : null;
    if (share) options.peers?.share((s) => share.heard(s));
    const responses = share ? balancedResponse(share) : GatewayResponse;
    this.#server = createListener(config, null, this.#exchange, this.stats, responses) as Server;
    this.#tlsServer = credentials
      ? (createListener(config, credentials, this.#exchange, this.stats, responses) as HttpsServer)
      : null;
    for (const server of this.#servers()) {
      guardAccept(server, accept);
      // After the guard's own listener: a connection it dropped is not counted.
      if (share)
        server.on('connection', (socket: Socket) => {
          if (!socket.destroyed) share.opened(socket);
        });
    }
  }

  /** Start listening; resolves once the port is bound. */
  static async start(options: GatewayOptions): Promise<Gateway> {
    // Read before anything opens: a missing or broken certificate stops the start cleanly.
    const tls = options.config.tls;
    const credentials = tls ? readCredentials(tls.certFile, tls.keyFile) : null;
    const gateway = new Gateway(options, credentials);
    const servers = gateway.#servers();
    try {
      await listenOn(gateway.#server, gateway.config.listen, '--listen HOST:PORT');
      if (gateway.#tlsServer && tls) await listenOn(gateway.#tlsServer, tls.listen, 'tls.listen in the config');
    } catch (err) {
      for (const s of servers) s.close();
      await gateway.#release();
      throw err;
    }
    const guard = {
      isTrusted: (a: string) => gateway.#identity.isTrusted(a),
      dropIfBanned: (a: string | undefined, p: number | undefined) => gateway.#dropAtAccept(a, p),
    };
    for (const s of servers) {
      const bound = s.address() as AddressInfo;
      gateway.#siteNames.add(bound.address.toLowerCase());
      gateway.#sitePorts.add(bound.port);
      if (options.acceptFastPath !== false) gateway.acceptPath = guardListeningHandle(s, guard);
    }
    return gateway;
  }

  address(): AddressInfo {
    return this.#server.address() as AddressInfo;
  }

  /** `http://host:port` of the bound listener. */
  url(): string {
    return urlOf('http', this.address());
  }

  /** The TCP ports the gateway listens on (HTTP, and HTTPS if configured). */
  ports(): number[] {
    return this.#servers().map((s) => (s.address() as AddressInfo).port);
  }

  /** `https://host:port` of the HTTPS listener, or null without one. */
  tlsUrl(): string | null {
    return this.#tlsServer ? urlOf('https', this.#tlsServer.address() as AddressInfo) : null;
  }

  /**
   * Read the certificate and key again (a renewal): new connections get them, open ones keep
   * theirs. A file that cannot be read or used leaves the old certificate in force.
   */
  reloadTls(): { ok: true } | { ok: false; error: Error } {
    const tls = this.config.tls;
    if (!this.#tlsServer || !tls) return { ok: true };
    try {
      this.#tlsServer.setSecureContext(readCredentials(tls.certFile, tls.keyFile));
      return { ok: true };
    } catch (err) {
      return { ok: false, error: err as Error };
    }
  }

  /**
   * Graceful shutdown: stop accepting, let requests in flight finish (up to the shutdown
   * timeout), then close what is left, write pending bans and events.
   */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    const servers = this.#servers();
    const closed = servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    for (const s of servers) s.closeIdleConnections();
    this.#tunnels.closeAll();
    this.#honeypot?.endSessions();
    const deadline = setTimeout(() => {
      for (const s of servers) s.closeAllConnections();
    }, this.config.timeouts.shutdownMs);
    deadline.unref();
    await Promise.all(closed);
    clearTimeout(deadline);
    await this.#release();
  }

  /** Close the upstream pool, end honeypot sessions, write pending bans and events. */
  async #release(): Promise<void> {
    await this.#upstream.close().catch(() => this.#upstream.destroy());
    await this.#honeypot?.close();
    this.#stopSharing?.();
    this.bans.close();
    await this.events.close();
  }

  /**
   * At accept: true drops the connection (a banned source). With `honeypot.banned`, a banned
   * source whose honeypot budget has room is let in; only the honeypot will answer it.
   */
  #dropAtAccept(address: string | undefined, port: number | undefined): boolean {
    if (address !== undefined && this.#honeypot?.admitsBanned(address) && this.bans.isBanned(address)) return false;
    return this.bans.dropIfBanned(address, port);
  }

  #servers(): Array<Server | HttpsServer> {
    return this.#tlsServer ? [this.#server, this.#tlsServer] : [this.#server];
  }
}

/** A connection refused before any request: the observation of a request line never read. */
function connectionObservation(socket: Socket, ip: string, port: number): HttpObservation {
  return {
    kind: 'http',
    transport: 'tcp',
    time: Date.now(),
    sensor: 'gateway',
    source: { ip, port },
    destination: { ip: unmapIPv4(socket.localAddress ?? ''), port: socket.localPort ?? 0 },
    request: buildHttpRequest({ line: '' }),
    status: null,
  };
}
