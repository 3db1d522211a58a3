import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createSecureContext, type TLSSocket } from 'node:tls';
import type { GatewayConfig } from '../config/gatewayConfig.js';
import { banTargetFor, unmapIPv4 } from '../defense/address.js';
import { Allowlist } from '../defense/allowlist.js';
import { BanManager } from '../defense/banManager.js';
import { SourceScores } from '../defense/sourceScores.js';
import { findingMatch, HttpBehaviour, requestSignal } from '../detect/behaviour/httpBehaviour.js';
import type { Engine, Match } from '../detect/types.js';
import { decide, type Verdict } from '../detect/verdict.js';
import { banFields } from '../events/banFields.js';
import { eventFromObservation, worstMatch } from '../events/fromObservation.js';
import { requestClient } from '../observe/forwardedClient.js';
import { buildHttpRequest } from '../observe/httpRequest.js';
import type { HttpObservation, HttpRequest } from '../observe/observation.js';
import { parseRawRequest } from '../observe/rawRequest.js';
import type { EventAction, SecurityEvent } from '../store/securityEvent.js';
import { openSqlite, SqliteBanStore, SqliteEventStore } from '../store/sqlite/sqliteStore.js';
import { EventSink } from './eventSink.js';
import { Upstream } from './forward.js';
import type { Hop } from './headers.js';
import { fallbackMatch, type Refusal, refusalFor } from './proxyGuard.js';
import { parseProxyHeader } from './proxyProtocol.js';
import { BAD_REQUEST, FORBIDDEN, HEADERS_TOO_LARGE, REQUEST_TIMEOUT } from './responses.js';
import { tunnelUpgrade } from './upgrade.js';

export class GatewayError extends Error {
  readonly code = 'E_GATEWAY';
}

/** Where the gateway gets its rules: the catalog's EngineHolder, or anything shaped like it. */
export interface DetectionSource {
  readonly engine: Engine;
  readonly catalog?: { get(id: string): { readonly name: string } | undefined };
}

export interface GatewayOptions {
  readonly config: GatewayConfig;
  readonly detection: DetectionSource;
  /** Diagnostics (start-up, store errors). Defaults to stderr. */
  readonly log?: (line: string) => void;
  /** Called for every event as it is queued. */
  readonly onEvent?: (event: SecurityEvent) => void;
}

type Judgement = Verdict;

/** The names this site answers to: configured ones, the upstream's host, `localhost`, the listen host. */
export function siteNamesFor(config: GatewayConfig): string[] {
  const names = new Set<string>(['localhost']);
  names.add(config.upstream.hostname.replace(/^\[|\]$/g, '').toLowerCase());
  const listenHost = config.listen.host.toLowerCase();
  if (listenHost !== '0.0.0.0' && listenHost !== '::') names.add(listenHost);
  for (const n of config.siteNames) names.add(n.toLowerCase());
  return [...names];
}

/**
 * The inline gateway: accept → ban check → parse → detect → decide → forward or refuse.
 * Refused requests get the seed's `400 Bad Request` and a closed connection, and nothing of
 * them leaves the gateway; the only host it ever connects to is the configured upstream.
 */
export class Gateway {
  readonly config: GatewayConfig;
  readonly bans: BanManager;
  readonly events: EventSink;
  readonly #server: Server;
  /** The HTTPS listener (config `tls`), with the same handlers as the plain one. */
  readonly #tlsServer: HttpsServer | null;
  readonly #upstream: Upstream;
  readonly #detection: DetectionSource;
  readonly #siteNames: Set<string>;
  readonly #db: ReturnType<typeof openSqlite>;
  readonly #tunnels = new Set<Duplex>();
  readonly #log: (line: string) => void;
  readonly #scores: SourceScores;
  /** Per-source runs of answered requests: path scans, password guessing (../detect/behaviour/). */
  readonly #behaviour: HttpBehaviour;
  /** Proxies in front (config `trusted_proxies`): they name the client in X-Forwarded-For. */
  readonly #trusted: Allowlist;
  readonly #isTrusted = (ip: string): boolean => this.#trusted.has(ip);
  /** Clients that PROXY protocol headers named, by their balancer connection (see connectionKey). */
  readonly #proxied = new Map<string, { readonly ip: string; readonly port: number }>();
  #closing: Promise<void> | null = null;

  private constructor(options: GatewayOptions, credentials: TlsCredentials | null) {
    this.config = options.config;
    this.#detection = options.detection;
    this.#log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.#siteNames = new Set(siteNamesFor(this.config));
    this.#behaviour = new HttpBehaviour(this.config.behaviours);
    this.#trusted = new Allowlist(this.config.trustedProxies);
    this.#scores = new SourceScores({
      threshold: this.config.sourceScores.banScore,
      windowMs: this.config.sourceScores.windowMs,
    });
    this.#db = openSqlite(this.config.db);
    const eventStore = new SqliteEventStore(this.#db);
    this.events = new EventSink({
      store: eventStore,
      jsonLines: this.config.events,
      onError: (err) => this.#log(`bansho: event write failed: ${String(err)}`),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    });
    this.bans = new BanManager({
      store: new SqliteBanStore(this.#db),
      policy: this.config.banPolicy,
      // A proxy in front is never banned: a ban would shut out everyone behind it.
      allowlist: new Allowlist([...this.config.allowlist, ...this.config.trustedProxies]),
      emit: (event) => this.events.push(event),
      dropReportMs: this.config.dropReportIntervalMs,
      onError: (err) => this.#log(`bansho: ban store: ${String(err)}`),
    });
    this.#upstream = new Upstream(this.config.upstream, this.config.timeouts);
    this.#server = this.#createServer(null) as Server;
    this.#tlsServer = credentials ? (this.#createServer(credentials) as HttpsServer) : null;
  }

  /** Start listening; resolves once the port is bound. */
  static async start(options: GatewayOptions): Promise<Gateway> {
    // Read before anything opens: a missing or broken certificate stops the start cleanly.
    const tls = options.config.tls;
    const credentials = tls ? readCredentials(tls.certFile, tls.keyFile) : null;
    const gateway = new Gateway(options, credentials);
    try {
      await listenOn(gateway.#server, gateway.config.listen, '--listen HOST:PORT');
      if (gateway.#tlsServer && tls) await listenOn(gateway.#tlsServer, tls.listen, 'tls.listen in the config');
    } catch (err) {
      gateway.#server.close();
      gateway.#tlsServer?.close();
      await gateway.#release();
      throw err;
    }
    gateway.#siteNames.add(gateway.address().address.toLowerCase());
    gateway.#guardListeningHandle(gateway.#server);
    if (gateway.#tlsServer) {
      gateway.#siteNames.add((gateway.#tlsServer.address() as AddressInfo).address.toLowerCase());
      gateway.#guardListeningHandle(gateway.#tlsServer);
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
   * timeout), then close what is left, write pending bans and events, close the store.
   */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    const servers = this.#tlsServer ? [this.#server, this.#tlsServer] : [this.#server];
    const closed = servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    for (const s of servers) s.closeIdleConnections();
    for (const t of this.#tunnels) t.destroy();
    const deadline = setTimeout(() => {
      for (const s of servers) s.closeAllConnections();
    }, this.config.timeouts.shutdownMs);
    deadline.unref();
    await Promise.all(closed);
    clearTimeout(deadline);
    await this.#release();
  }

  /** Close the upstream pool, write pending bans and events, close the store. */
  async #release(): Promise<void> {
    await this.#upstream.close().catch(() => this.#upstream.destroy());
    this.bans.close();
    await this.events.close();
    this.#db.close();
  }

  /** The plain listener, or with `credentials` the HTTPS one: the same handlers either way. */
  #createServer(credentials: TlsCredentials | null): Server | HttpsServer {
    const t = this.config.timeouts;
    const options = {
      headersTimeout: Math.min(t.headersMs, t.requestMs),
      requestTimeout: t.requestMs,
      keepAliveTimeout: t.keepAliveMs,
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(t.headersMs / 4))),
      requireHostHeader: false,
      noDelay: true,
    };
    const server = credentials ? createHttpsServer({ ...options, ...credentials }) : createServer(options);
    server.keepAliveTimeout = t.keepAliveMs;
    this.#guardAccept(server);
    server.on('request', (req, res) => this.#onRequest(req, res));
    server.on('connect', (req: IncomingMessage, socket: Duplex) => this.#onConnect(req, socket));
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.#onUpgrade(req, socket, head));
    server.on('clientError', (err: Error, socket: Duplex) => this.#onClientError(err, socket as Socket));
    return server;
  }

  /**
   * The general path: node's own connection listener (which allocates an HTTP parser) is wrapped
   * so a banned source's socket is destroyed before anything is allocated for it. It is reset
   * (RST) rather than closed: no FIN exchange, no TIME_WAIT left behind on our side, and the
   * bot learns nothing but that the door is shut. Measured at node's own floor for an accepted
   * socket (bench/gateway.ts); beyond that, drop in the kernel's firewall instead.
   */
  #guardAccept(server: Server | HttpsServer): void {
    const nodeListeners = server.listeners('connection') as Array<(socket: Socket) => void>;
    server.removeAllListeners('connection');
    const bans = this.bans;
    const trusted = this.#trusted;
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
      if (trusted.has(address)) {
        if (this.config.proxyProtocol) this.#readProxyHeader(socket, proceed);
        else proceed(socket);
        return;
      }
      if (bans.dropIfBanned(address, socket.remotePort)) {
        socket.resetAndDestroy();
        return;
      }
      proceed(socket);
    });
  }

  /**
   * A balancer's connection starts with a PROXY protocol header naming the client: read it
   * (bounded in size, and in time by the headers timeout), drop the client there if it is
   * banned, as at accept, and otherwise hand the connection on with the bytes after the header
   * put back. A connection without a valid header is closed unanswered.
   */
  #readProxyHeader(socket: Socket, proceed: (socket: Socket) => void): void {
    let buffered: Buffer = Buffer.alloc(0);
    const timer = setTimeout(() => socket.destroy(), this.config.timeouts.headersMs);
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
        if (this.bans.dropIfBanned(client.ip, client.port)) {
          socket.resetAndDestroy();
          return;
        }
        const key = connectionKey(socket);
        this.#proxied.set(key, client);
        socket.once('close', () => this.#proxied.delete(key));
      }
      if (buffered.length > header.length) socket.unshift(buffered.subarray(header.length));
      proceed(socket);
    };
    socket.on('readable', onReadable);
    socket.once('error', () => socket.destroy());
    socket.once('close', () => clearTimeout(timer));
  }

  /**
   * The cheapest path, where the runtime allows it: node's listening handle calls
   * `onconnection(err, clientHandle)` for each accepted connection before any Socket, stream or
   * HTTP parser exists. Wrapping it, a banned source costs one getpeername and one close —
   * about half the CPU of the 'connection' event path (bench/gateway.ts). `_handle` is not a
   * public API, so this is used only when it has the expected shape; the 'connection' guard
   * above stays in place either way and catches whatever this one lets through.
   */
  #guardListeningHandle(server: Server | HttpsServer): void {
    type ClientHandle = { getpeername(out: { address?: string; port?: number }): number; close(): void };
    type ListeningHandle = { onconnection?: (err: number, client?: ClientHandle) => void };
    const handle = (server as unknown as { _handle?: ListeningHandle | null })._handle;
    const accept = handle?.onconnection;
    if (!handle || typeof accept !== 'function') return;
    const bans = this.bans;
    const trusted = this.#trusted;
    const peer: { address?: string; port?: number } = {};
    handle.onconnection = function (this: ListeningHandle, err: number, client?: ClientHandle) {
      if (err === 0 && client && typeof client.getpeername === 'function') {
        peer.address = undefined;
        if (
          client.getpeername(peer) === 0 &&
          !trusted.has(peer.address ?? '') &&
          bans.dropIfBanned(peer.address, peer.port)
        ) {
          client.close();
          return;
        }
      }
      accept.call(this, err, client);
    };
  }

  #onRequest(req: IncomingMessage, res: ServerResponse): void {
    const socket = req.socket;
    if (socket.remoteAddress === undefined) {
      socket.destroy();
      return;
    }
    const headers = headerPairs(req.rawHeaders);
    const client = this.#client(socket, headers);
    if (this.#turnedAway(socket, client)) return;
    const request = buildHttpRequest({ line: requestLine(req), headers });
    const observation = this.#observe(request, socket, client);
    const judgement = this.#judge(observation, refusalFor(request, this.#siteNames));
    if (judgement.kind === 'block' || judgement.kind === 'ban') {
      this.#refuse(socket, observation, judgement, BAD_REQUEST, 400);
      return;
    }
    if (judgement.kind === 'log') this.#record(observation, judgement.matches, 'detected', null);
    this.#upstream.forward(req, res, upstreamPath(req, request), client.hop, (status) =>
      this.#answered(observation, status),
    );
  }

  /**
   * Who sent a request: the TCP peer, or, when the peer is a trusted proxy, the client its
   * X-Forwarded-For names (whose port is not known). `rawHeaders` null: nothing was parsed.
   */
  #client(socket: Socket, headers: ReadonlyArray<readonly [string, string]>): Client {
    const scheme = (socket as TLSSocket).encrypted === true ? 'https' : 'http';
    // A client a PROXY header named is as good as a direct connection from it.
    const proxied = this.#proxied.size > 0 ? this.#proxied.get(connectionKey(socket)) : undefined;
    if (proxied !== undefined) return { ...proxied, hop: { peer: proxied.ip, trustedPeer: false, scheme } };
    const peer = unmapIPv4(socket.remoteAddress ?? '');
    const trustedPeer = this.#trusted.has(peer);
    const hop: Hop = { peer, trustedPeer, scheme };
    if (!trustedPeer) return { ip: peer, port: socket.remotePort ?? 0, hop };
    const ip = requestClient(peer, headers, this.#isTrusted);
    return { ip, port: ip === peer ? (socket.remotePort ?? 0) : 0, hop };
  }

  /**
   * A banned client's request (a ban made while its connection was open, or a client behind a
   * proxy): true when it was turned away. A direct connection is cut; a proxy's gets `403` and
   * is closed, since the proxy carries other clients' requests too, and the refusal is counted
   * in the drop reports like a dropped connection.
   */
  #turnedAway(socket: Duplex, client: Client): boolean {
    if (!client.hop.trustedPeer) {
      if (!this.bans.isBanned(client.ip)) return false;
      socket.destroy();
      return true;
    }
    if (this.#trusted.has(client.ip) || !this.bans.dropIfBanned(client.ip, client.port)) return false;
    if (socket.writable) {
      socket.end(FORBIDDEN);
      closeAfterFlush(socket);
    } else socket.destroy();
    return true;
  }

  /**
   * The upstream's answer, for the behaviours: a source whose answered requests add up to a
   * finding (11 missing paths in a few seconds, 6 failed logins) is banned; the request that
   * completed it has been answered, the next connection is dropped.
   */
  #answered(observation: HttpObservation, status: number): void {
    const signal = requestSignal(observation, status);
    if (signal === null) return;
    const source = signal.source;
    for (const alert of this.#behaviour.request(signal)) {
      if (!this.config.behaviourBans) {
        this.#record(observation, [findingMatch(alert)], 'detected', status);
        continue;
      }
      const made = this.bans.ban(source, {
        reason: `${alert.ruleId}: ${alert.ruleName}`,
        threatId: alert.threatId,
        origin: 'auto',
      });
      this.#record(
        observation,
        [findingMatch(alert)],
        made ? 'banned' : 'detected',
        status,
        made ? banFields(made) : null,
      );
    }
  }

  /** CONNECT is never tunnelled: the seed's worm asked for `maila.microsoft.com:25`. */
  #onConnect(req: IncomingMessage, socket: Duplex): void {
    // Node hands CONNECT and upgrade sockets over without its own error listener.
    socket.on('error', () => socket.destroy());
    if ((socket as Socket).remoteAddress === undefined) {
      socket.destroy();
      return;
    }
    const headers = headerPairs(req.rawHeaders);
    const request = buildHttpRequest({ line: requestLine(req), headers });
    const observation = this.#observe(request, socket as Socket, this.#client(socket as Socket, headers));
    const judgement = this.#judge(observation, 'connect');
    this.#refuse(socket, observation, judgement, BAD_REQUEST, 400);
  }

  #onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const s = socket as Socket;
    if (s.remoteAddress === undefined) {
      socket.destroy();
      return;
    }
    const headers = headerPairs(req.rawHeaders);
    const client = this.#client(s, headers);
    if (this.#turnedAway(socket, client)) return;
    const request = buildHttpRequest({ line: requestLine(req), headers });
    const observation = this.#observe(request, s, client);
    const judgement = this.#judge(observation, refusalFor(request, this.#siteNames));
    if (judgement.kind === 'block' || judgement.kind === 'ban') {
      this.#refuse(socket, observation, judgement, BAD_REQUEST, 400);
      return;
    }
    if (judgement.kind === 'log') this.#record(observation, judgement.matches, 'detected', null);
    const up = tunnelUpgrade(
      req,
      socket,
      head,
      this.config.upstream,
      upstreamPath(req, request),
      client.hop,
      this.config.timeouts.upstreamConnectMs,
    );
    this.#tunnels.add(socket);
    socket.once('close', () => this.#tunnels.delete(socket));
    up.once('close', () => this.#tunnels.delete(socket));
  }

  /**
   * A request node's parser refused: malformed lines (the seed's four-token CONNECT), binary
   * noise, a TLS hello on the plain port, oversized headers, a client too slow to finish.
   */
  #onClientError(err: Error & { code?: string; rawPacket?: Buffer }, socket: Socket): void {
    const code = err.code ?? '';
    if (code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      socket.end(REQUEST_TIMEOUT);
      closeAfterFlush(socket);
      return;
    }
    // A response is already on its way on this connection (garbage after a good keep-alive
    // request): node is mid-message, so only cutting the connection is safe.
    if ((socket as Socket & { _httpMessage?: unknown })._httpMessage) {
      socket.destroy();
      return;
    }
    const raw = err.rawPacket ?? Buffer.alloc(0);
    const request = parseRawRequest(raw, code || err.message);
    // Nothing parsed: no header to name a client behind a proxy, so the peer it is.
    const observation = this.#observe(request, socket, this.#client(socket, []));
    const judgement = this.#judge(observation, 'unparsable');
    const tooLarge = code === 'HPE_HEADER_OVERFLOW';
    this.#refuse(socket, observation, judgement, tooLarge ? HEADERS_TOO_LARGE : BAD_REQUEST, tooLarge ? 431 : 400);
  }

  #observe(request: HttpRequest, socket: Socket, client: Client): HttpObservation {
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

  /**
   * Rules first; the verdict from their matches. When the gateway itself must refuse the
   * request (CONNECT, a foreign authority, a refused parse) it is at least blocked, whatever
   * the rules said.
   */
  #judge(observation: HttpObservation, refusal: Refusal | null): Judgement {
    let matches: Match[];
    try {
      matches = this.#detection.engine.match(observation);
    } catch (err) {
      this.#log(
        `bansho: rule engine failed on ${JSON.stringify(observation.request.line.slice(0, 80))}: ${String(err)}`,
      );
      matches = [];
    }
    let verdict: Judgement = decide(
      matches,
      this.config.blockScore !== null ? { blockScore: this.config.blockScore } : {},
    );
    if (refusal !== null && verdict.kind !== 'block' && verdict.kind !== 'ban')
      verdict = { kind: 'block', matches: [...matches, fallbackMatch(refusal, observation.request)] };
    if (verdict.kind === 'log' || verdict.kind === 'block') return this.#scoreSource(observation, verdict);
    return verdict;
  }

  /**
   * Low-grade matches add up per source over a sliding window (CrowdSec's leaky bucket): a
   * source that keeps probing is banned once its sum crosses the threshold.
   */
  #scoreSource(observation: HttpObservation, verdict: Extract<Judgement, { kind: 'log' | 'block' }>): Judgement {
    let score = 0;
    for (const m of verdict.matches) score += m.score;
    let key: string;
    try {
      key = banTargetFor(observation.source.ip);
    } catch {
      return verdict;
    }
    const now = observation.time;
    if (!this.#scores.add(key, score, now).overThreshold) return verdict;
    this.#scores.forget(key);
    return { kind: 'ban', matches: verdict.matches };
  }

  #refuse(socket: Duplex, observation: HttpObservation, judgement: Judgement, answer: Buffer, status: number): void {
    const matches = judgement.kind === 'allow' ? [] : judgement.matches;
    let action: EventAction = 'blocked';
    let ban: SecurityEvent['bansho']['ban'] | null = null;
    if (judgement.kind === 'ban') {
      const top = worstMatch(matches);
      const made = this.bans.ban(observation.source.ip, {
        reason: top ? `${top.ruleId}: ${top.ruleName}` : 'proxy abuse',
        threatId: top?.threatId ?? null,
        origin: 'auto',
      });
      if (made) {
        action = 'banned';
        ban = banFields(made);
      }
    }
    if (socket.writable) {
      socket.end(answer);
      closeAfterFlush(socket);
    } else socket.destroy();
    this.#record(observation, matches, action, status, ban);
  }

  #record(
    observation: HttpObservation,
    matches: readonly Match[],
    action: EventAction,
    status: number | null,
    ban: SecurityEvent['bansho']['ban'] | null = null,
  ): void {
    const catalog = this.#detection.catalog;
    this.events.push(
      eventFromObservation(observation, matches, {
        action,
        sensor: 'gateway',
        threatName: (id) => catalog?.get(id)?.name,
        ...(status !== null ? { responseStatus: status } : {}),
        ...(ban ? { ban } : {}),
      }),
    );
  }
}

/** A certificate chain and its key, PEM. */
interface TlsCredentials {
  readonly cert: Buffer;
  readonly key: Buffer;
}

function readCredentials(certFile: string, keyFile: string): TlsCredentials {
  const read = (file: string, what: string): Buffer => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new GatewayError(`cannot read the TLS ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
    }
  };
  const credentials = { cert: read(certFile, 'certificate'), key: read(keyFile, 'key') };
  try {
    createSecureContext(credentials);
  } catch (err) {
    throw new GatewayError(`cannot use the TLS certificate ${certFile} with key ${keyFile}: ${(err as Error).message}`);
  }
  return credentials;
}

async function listenOn(
  server: Server | HttpsServer,
  { host, port }: { host: string; port: number },
  chooseWith: string,
): Promise<void> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    const why =
      code === 'EADDRINUSE'
        ? 'the address is in use'
        : code === 'EACCES'
          ? 'permission denied'
          : (err as Error).message;
    throw new GatewayError(`cannot listen on ${host}:${port}: ${why} (choose another with ${chooseWith})`);
  }
}

function urlOf(scheme: 'http' | 'https', a: AddressInfo): string {
  return `${scheme}://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
}

/** A TCP connection's name while it is open: the balancer's address and port (a TLS socket reports its own). */
function connectionKey(socket: Socket): string {
  return `${socket.remoteAddress}|${socket.remotePort}`;
}

/** Who a request is from (see Gateway.#client), and the connection it came in on. */
interface Client {
  readonly ip: string;
  readonly port: number;
  readonly hop: Hop;
}

/**
 * The request line as node's parser accepted it (single spaces; the parser allows nothing
 * else). llhttp takes a line without a version as HTTP/0.9: that line carried no version.
 */
function requestLine(req: IncomingMessage): string {
  if (req.httpVersionMajor === 0) return `${req.method} ${req.url}`;
  return `${req.method} ${req.url} HTTP/${req.httpVersion}`;
}

/**
 * The path to ask the upstream for: the target as received when it is origin-form; for an
 * absolute-form request naming this site, only its path and query (the authority is ours).
 */
function upstreamPath(req: IncomingMessage, request: HttpRequest): string {
  if (request.form === 'origin') return req.url as string;
  return `${request.path || '/'}${request.query ? `?${request.query}` : ''}`;
}

function headerPairs(raw: readonly string[]): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i] as string, raw[i + 1] as string]);
  return pairs;
}

/**
 * After `end(answer)` the FIN goes out with the answer. Node's HTTP sockets allow half-open
 * connections, so the socket is destroyed once the client closes its side too, or after a
 * short grace period; whatever the client still sends is read and discarded meanwhile (closing
 * with unread data would send a RST, which can wipe the answer from the client's buffer).
 */
function closeAfterFlush(socket: Duplex): void {
  const timer = setTimeout(() => socket.destroy(), 1000);
  timer.unref();
  socket.on('data', () => {});
  socket.resume();
  socket.once('end', () => socket.destroy());
  socket.once('close', () => clearTimeout(timer));
}
