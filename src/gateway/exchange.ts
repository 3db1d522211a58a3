import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { type Duplex, Readable } from 'node:stream';
import type { GatewayConfig } from '../config/gatewayConfig.js';
import type { BanManager } from '../defense/banManager.js';
import type { Honeypot } from '../honeypot/honeypot.js';
import { buildHttpRequest } from '../observe/httpRequest.js';
import type { HttpObservation } from '../observe/observation.js';
import { parseRawRequest } from '../observe/rawRequest.js';
import { hasBody, prefixThenRest, readBodyStart, watchBodyRate } from './bodyReader.js';
import type { Client, ClientIdentity } from './clientIdentity.js';
import { takeRefusedConnection } from './detachParser.js';
import type { ForwardBody, Upstream } from './forward.js';
import { closeListener, type GatewayResponse } from './gatewayResponse.js';
import { headerPairs, observationOf, requestLine, upstreamTarget } from './nodeRequest.js';
import type { Recorder } from './recorder.js';
import { type Refusal, refusalFor, type SiteIdentity } from './refusal.js';
import {
  afterHeld,
  afterPending,
  type BanHeld,
  dropAfterHeld,
  isRefused,
  refuseAfterPending,
  refuseInTurn,
} from './replies.js';
import type { Decision, RequestPipeline } from './requestPipeline.js';
import {
  EXPECTATION_FAILED,
  FORBIDDEN,
  REQUEST_TIMEOUT,
  refusalAnswer,
  SERVICE_UNAVAILABLE,
  TOO_MANY_REQUESTS,
} from './responses.js';
import { type SourceLimits, sourceKey } from './sourceLimits.js';
import type { GatewayStats } from './stats.js';
import type { TunnelRegistry } from './tunnelRegistry.js';

/** Everything the request path works with, built once by the Gateway. */
export interface ExchangeContext {
  readonly config: GatewayConfig;
  readonly identity: ClientIdentity;
  readonly site: SiteIdentity;
  readonly pipeline: RequestPipeline;
  readonly bans: BanManager;
  readonly limits: SourceLimits;
  readonly upstream: Upstream;
  readonly recorder: Recorder;
  readonly tunnels: TunnelRegistry;
  readonly stats: GatewayStats;
  /** Play-along with proxy abuse (`honeypot.enabled`), or null. */
  readonly honeypot: Honeypot | null;
  /** A ban on this address still being told to sibling processes (./replies.ts BanHeld); always null in one process. */
  readonly whenHeld: (address: string) => BanHeld;
}

/** How the client asked to send its body: plainly, after `100 Continue`, or with an expectation nobody meets. */
type Expectation = 'none' | 'continue' | 'other';

/**
 * The second of the gateway's parts: one HTTP request from parse to decision to answer.
 * Requests are handled in arrival order per connection; a refused request's answer waits its
 * turn, and nothing pipelined after it is forwarded.
 */
export class Exchange {
  readonly #c: ExchangeContext;
  /** Every counted response's one 'close' listener (./gatewayResponse.ts): made once, not per request. */
  readonly #closed: (this: GatewayResponse) => void;

  constructor(context: ExchangeContext) {
    this.#c = context;
    this.#closed = closeListener(context.limits);
  }

  onRequest(req: IncomingMessage, res: GatewayResponse, expectation: Expectation = 'none'): void {
    const socket = req.socket;
    if (socket.remoteAddress === undefined) {
      socket.destroy();
      return;
    }
    if (isRefused(socket)) return;
    this.#c.stats.requests++;
    if (res.afterClose) return;
    const headers = headerPairs(req.rawHeaders);
    const client = this.#c.identity.of(socket, headers);
    if (this.#turnedAway(socket, client, (answer, held) => refuseInTurn(res, socket, answer, held), true)) return;
    const line = requestLine(req);
    const request = buildHttpRequest({ line, headers });
    const refusal = refusalFor(request, this.#c.site, headers);
    const head = observationOf(request, socket, client);
    if (refusal === null && request.form === 'asterisk') {
      res.writeHead(204, { allow: 'GET, HEAD, POST, OPTIONS' }).end();
      return;
    }
    const key = sourceKey(client.ip);
    if (!this.#c.limits.startRequest(key)) {
      this.#c.stats.overLimit++;
      this.#c.recorder.breach(head, 'too-many-requests', 429);
      refuseInTurn(res, socket, TOO_MANY_REQUESTS, this.#c.whenHeld(client.ip));
      return;
    }
    // `on`: a response closes once, and `once` costs a wrapper per request.
    res.sourceKey = key;
    res.on('close', this.#closed);
    // Play-along relays a POST to an IRC port (NICK, USER, JOIN in its body) to its IRC server.
    const bodyFirst = refusal !== null && hasBody(req) && this.#c.honeypot?.answersFromBody(request) === true;
    // Judged without the body: the gateway's own refusals, an expectation to answer, no body.
    if ((refusal !== null && !bodyFirst) || expectation !== 'none' || !hasBody(req)) {
      // Before a body still to come, only a look: the judgement with the body scores (once).
      const stage = expectation === 'continue' && refusal === null && hasBody(req) ? 'beforeBody' : 'final';
      const decision = this.#c.pipeline.decide(head, refusal, stage);
      if (decision.kind === 'refuse' || expectation === 'other' || !hasBody(req)) {
        this.#act(req, res, head, client, decision, expectation === 'other' ? EXPECTATION_FAILED : null);
        return;
      }
      res.writeContinue();
    }
    this.#withBody(req, res, line, headers, client, refusal);
  }

  /** Read the body's start (bounded, under the minimum rate), judge the request with it, act. */
  #withBody(
    req: IncomingMessage,
    res: GatewayResponse,
    line: string,
    headers: Array<[string, string]>,
    client: Client,
    refusal: Refusal | null,
  ): void {
    const { limits, timeouts } = this.#c.config;
    let slow = false;
    const watch = watchBodyRate(req, limits.bodyMinRate, timeouts.bodyMs, () => {
      slow = true;
      this.#c.stats.slowBodies++;
      const observation = observationOf(buildHttpRequest({ line, headers }), req.socket, client);
      this.#c.recorder.breach(observation, 'slow-body', 408);
      const held = this.#c.whenHeld(client.ip);
      refuseInTurn(res, req.socket, REQUEST_TIMEOUT, held);
      afterHeld(held, () => req.socket.destroySoon());
    });
    readBodyStart(req, limits.bodyInspectBytes).then((start) => {
      if (start.kind === 'aborted' || slow) {
        watch.stop();
        return;
      }
      const bodyBytes = start.kind === 'whole' ? start.body : start.head;
      const request = buildHttpRequest(
        { line, headers, bodyPrefix: bodyBytes.toString('latin1') },
        limits.bodyInspectBytes,
      );
      const observation = observationOf(request, req.socket, client);
      const decision = this.#c.pipeline.decide(observation, refusal);
      if (decision.kind === 'refuse') watch.stop();
      const body: ForwardBody =
        start.kind === 'whole'
          ? start.body
          : Readable.from(prefixThenRest(start.head, start.rest), { objectMode: false });
      this.#act(req, res, observation, client, decision, null, body);
    });
  }

  /** Carry out a decision: refuse (ban first, then the answer in turn), answer, or forward. */
  #act(
    req: IncomingMessage,
    res: GatewayResponse,
    observation: HttpObservation,
    client: Client,
    decision: Decision,
    answer: Buffer | null,
    body: ForwardBody = null,
  ): void {
    const socket = req.socket;
    if (decision.kind === 'refuse') {
      this.#c.stats.refused++;
      // Play-along: the ban and its event as always, then the open proxy's answer instead of 400.
      const honeypot = this.#c.honeypot;
      const play = honeypot?.planAnswer(observation, decision.matches) ?? null;
      this.#c.recorder.refused(observation, decision.matches, decision.ban, play ? 200 : decision.status);
      const answer = play && honeypot ? honeypot.answer(play) : refusalAnswer(decision.status);
      refuseInTurn(res, socket, answer, this.#c.whenHeld(client.ip));
      return;
    }
    // A banned source let in for the honeypot never reaches the site, whatever it asks.
    if (this.#c.honeypot && !client.hop.trustedPeer && this.#c.bans.isBanned(client.ip)) {
      socket.destroy();
      return;
    }
    if (decision.matches.length > 0) this.#c.recorder.record(observation, decision.matches, 'detected', null);
    if (answer !== null) {
      refuseInTurn(res, socket, answer);
      return;
    }
    if (this.#c.upstream.full) {
      this.#c.stats.upstreamFull++;
      refuseInTurn(res, socket, SERVICE_UNAVAILABLE);
      return;
    }
    this.#c.stats.forwarded++;
    this.#c.upstream.forward(
      req,
      res,
      upstreamTarget(req, observation.request),
      client.hop,
      body,
      observation,
      this.#c.recorder,
      this.#c.stats,
    );
  }

  /**
   * CONNECT is never tunnelled: the 2003 PrettyPark worm asked for `maila.microsoft.com:25`. With
   * play-along, the honeypot answers it instead (`head`: the client's bytes after its request).
   */
  onConnect(req: IncomingMessage, socket: Duplex, head: Buffer = Buffer.alloc(0)): void {
    if (!takeOver(socket)) return;
    const s = socket as Socket;
    const headers = headerPairs(req.rawHeaders);
    const observation = observationOf(
      buildHttpRequest({ line: requestLine(req), headers }),
      s,
      this.#c.identity.of(s, headers),
    );
    this.#refuseRaw(socket, observation, 'connect', false, () => head);
  }

  onUpgrade(req: IncomingMessage, socket: Duplex, held: Buffer): void {
    if (!takeOver(socket)) return;
    const s = socket as Socket;
    const headers = headerPairs(req.rawHeaders);
    const client = this.#c.identity.of(s, headers);
    if (this.#turnedAway(socket, client, (answer, held) => refuseAfterPending(socket, answer, held))) return;
    const request = buildHttpRequest({ line: requestLine(req), headers });
    const observation = observationOf(request, s, client);
    // An upgrade carries no body the gateway could judge: one that declares one is refused.
    const refusal = refusalFor(request, this.#c.site, headers) ?? (hasBody(req) ? 'unparsable' : null);
    const decision = this.#c.pipeline.decide(observation, refusal);
    if (decision.kind === 'refuse') {
      this.#c.stats.refused++;
      this.#c.recorder.refused(observation, decision.matches, decision.ban, decision.status);
      refuseAfterPending(socket, refusalAnswer(decision.status), this.#c.whenHeld(client.ip));
      return;
    }
    if (decision.matches.length > 0) this.#c.recorder.record(observation, decision.matches, 'detected', null);
    const protocol = (req.headers.upgrade ?? '').trim().toLowerCase();
    this.#c.tunnels.open(req, socket, held, client, upstreamTarget(req, request), {
      upgrade: this.#c.config.upgradeProtocols.includes(protocol),
    });
  }

  /**
   * A request node's parser refused: malformed lines (PrettyPark's four-token CONNECT), binary
   * noise, a TLS hello on the plain port, oversized headers, a client too slow to finish.
   */
  onClientError(err: Error & { code?: string; rawPacket?: Buffer }, socket: Socket): void {
    const code = err.code ?? '';
    if (code === 'ECONNRESET' || !socket.writable || isRefused(socket)) {
      socket.destroy();
      return;
    }
    if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      refuseAfterPending(socket, REQUEST_TIMEOUT);
      return;
    }
    const raw = err.rawPacket ?? Buffer.alloc(0);
    const request = parseRawRequest(raw, code || err.message);
    // Nothing parsed: no header to name a client behind a proxy, so the peer it is.
    const observation = observationOf(request, socket, this.#c.identity.of(socket, []));
    const tooLarge = code === 'HPE_HEADER_OVERFLOW';
    // The four-token CONNECT reaches play-along only here: node's parser refused it.
    const takeOver = tooLarge ? null : () => takeRefusedConnection(socket, raw);
    this.#refuseRaw(socket, observation, 'unparsable', tooLarge, takeOver);
  }

  /**
   * Refuse outside node's response queue (CONNECT, a refused parse): ban first, then answer.
   * With play-along, a CONNECT the honeypot wants gets `200` and its dialogue instead of `400`,
   * when `takeOver` can hand over the socket (it yields the bytes that followed the request).
   */
  #refuseRaw(
    socket: Duplex,
    observation: HttpObservation,
    refusal: Refusal,
    tooLarge = false,
    takeOver: (() => Buffer | null) | null = null,
  ): void {
    const decision = this.#c.pipeline.decide(observation, refusal);
    const status = tooLarge ? 431 : 400;
    this.#c.stats.refused++;
    const tunnel = takeOver
      ? (this.#c.honeypot?.prepareTunnel(observation, decision.matches, socket, takeOver) ?? null)
      : null;
    const ban = decision.kind === 'refuse' && decision.ban;
    this.#c.recorder.refused(observation, decision.matches, ban, tunnel ? 200 : status);
    const held = this.#c.whenHeld(observation.source.ip);
    if (tunnel) afterPending(socket, () => afterHeld(held, tunnel));
    else refuseAfterPending(socket, refusalAnswer(status), held);
  }

  /**
   * A banned client's request (a ban made while its connection was open, or a client behind a
   * proxy): true when it was turned away. A direct connection is cut; a proxy's gets `403` and
   * is closed, since the proxy carries other clients' requests too. With `honeypot.banned`, a
   * direct client whose budget has room goes on (`honeypotMayAnswer`): only the honeypot answers it.
   */
  #turnedAway(
    socket: Duplex,
    client: Client,
    refuse: (answer: Buffer, held: BanHeld) => void,
    honeypotMayAnswer = false,
  ): boolean {
    if (!client.hop.trustedPeer) {
      if (!this.#c.bans.isBanned(client.ip)) return false;
      if (honeypotMayAnswer && this.#c.honeypot?.admitsBanned(client.ip)) return false;
      dropAfterHeld(socket, this.#c.whenHeld(client.ip));
      return true;
    }
    if (this.#c.identity.isTrusted(client.ip) || !this.#c.bans.dropIfBanned(client.ip, client.port)) return false;
    refuse(FORBIDDEN, this.#c.whenHeld(client.ip));
    return true;
  }
}

/**
 * A CONNECT or upgrade socket, handed over by node without its own error listener: give it
 * one, and keep it only when its peer is still there and nothing on it was refused before.
 */
function takeOver(socket: Duplex): boolean {
  socket.on('error', () => socket.destroy());
  if ((socket as Socket).remoteAddress !== undefined && !isRefused(socket)) return true;
  socket.destroy();
  return false;
}
