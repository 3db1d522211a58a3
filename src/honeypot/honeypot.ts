import type { Duplex } from 'node:stream';
import type { HoneypotSettings } from '../config/honeypotSettings.js';
import type { Match } from '../detect/types.js';
import type { SecurityEvent } from '../events/securityEvent.js';
import type { HttpObservation, HttpRequest } from '../observe/observation.js';
import { isIrcPort, type PlayAlong, playAlongFor } from './playAlong.js';
import { azenvAnswer, ircProbeAnswer } from './proxyAnswers.js';
import { Quarantine } from './quarantine.js';
import { newSessionFacts, sessionEvent } from './sessionEvents.js';
import { DEFAULT_SMTP_LIMITS } from './smtpDialogue.js';
import { type SessionAllowance, SourceBudget } from './sourceBudget.js';
import { ircSpeaker, type Speaker, smtpSpeaker } from './speakers.js';
import { TunnelSession } from './tunnelSession.js';

export interface HoneypotOptions {
  readonly settings: HoneypotSettings;
  /** Where the sessions' events go (the gateway's event sink). */
  readonly emit: (event: SecurityEvent) => void;
  readonly threatName: (id: string) => string | undefined;
  readonly clock?: () => number;
}

/** A refused request the honeypot will play along with; its session slot is already taken. */
export interface Plan<K extends PlayAlong['kind']> {
  readonly play: Extract<PlayAlong, { kind: K }>;
  readonly observation: HttpObservation;
  readonly allowance: SessionAllowance;
}

/**
 * The honeypot the gateway may hand a refused request to, when `honeypot.enabled`: it plays the
 * open proxy the abuser was looking for, then the mail or IRC server it asked for, records
 * everything, and never connects anywhere. The gateway has already judged the request and made
 * its ban durable; the honeypot only chooses what the abuser hears instead of `400`.
 */
export class Honeypot {
  readonly #settings: HoneypotSettings;
  readonly #wanted: ReadonlySet<string>;
  readonly #budget: SourceBudget;
  readonly #quarantine: Quarantine;
  readonly #emit: (event: SecurityEvent) => void;
  readonly #threatName: (id: string) => string | undefined;
  readonly #clock: () => number;
  readonly #sessions = new Set<TunnelSession>();

  private constructor(options: HoneypotOptions, quarantine: Quarantine) {
    const s = options.settings;
    this.#settings = s;
    this.#wanted = new Set(s.for);
    this.#clock = options.clock ?? Date.now;
    this.#budget = new SourceBudget(
      { ...s.budget, maxSessions: s.maxSessions, sessionBytes: s.session.bytes },
      this.#clock,
    );
    this.#quarantine = quarantine;
    this.#emit = options.emit;
    this.#threatName = options.threatName;
  }

  /** Open the quarantine (a missing directory is created 0700) and start. */
  static open(options: HoneypotOptions): Honeypot {
    return new Honeypot(options, Quarantine.open(options.settings.quarantine));
  }

  /** Tunnels open now. */
  get openSessions(): number {
    return this.#sessions.size;
  }

  /**
   * With `honeypot.banned`: true when a banned source's connection is to be let in rather than
   * dropped, because its budget still has room for a session.
   */
  admitsBanned(ip: string): boolean {
    return this.#settings.banned && this.#budget.hasRoom(ip);
  }

  /**
   * True for a request whose answer the honeypot makes from its body, which the gateway then
   * reads (bounded, under its minimum rate) before judging: an absolute-form POST to an IRC port,
   * the cross-protocol way bots spoke IRC through HTTP proxies.
   */
  answersFromBody(request: HttpRequest): boolean {
    const a = request.authority;
    return (
      request.form === 'absolute' && request.method.toUpperCase() === 'POST' && a !== null && isIrcPort(a.port ?? 80)
    );
  }

  /** An answer to play for a refused HTTP request (absolute form, judge script), or null. */
  planAnswer(observation: HttpObservation, matches: readonly Match[]): Plan<'answer'> | null {
    const play = playAlongFor(observation.request, matches, this.#wanted);
    return play?.kind === 'answer' ? this.#plan(play, observation) : null;
  }

  /**
   * The tunnel to play for a refused CONNECT (the four-token 2003 form too), ready to start; null
   * when the request is not one to play along with, the budget is spent, or `take` cannot hand
   * over the socket (it yields the bytes that came after the request).
   */
  prepareTunnel(
    observation: HttpObservation,
    matches: readonly Match[],
    socket: Duplex,
    take: () => Buffer | null,
  ): (() => void) | null {
    const play = playAlongFor(observation.request, matches, this.#wanted);
    const plan = play?.kind === 'tunnel' ? this.#plan(play, observation) : null;
    if (plan === null) return null;
    const held = take();
    if (held === null) {
      plan.allowance.end();
      return null;
    }
    // The start may wait for earlier answers on the connection; if it closes first, the slot is freed.
    socket.once('close', () => plan.allowance.end());
    return () => this.#takeOver(plan, socket, held);
  }

  /** The bytes to answer a planned request with (then close); the session is recorded. */
  answer(plan: Plan<'answer'>): Buffer {
    const o = plan.observation;
    const now = this.#clock();
    const facts = newSessionFacts(plan.play, o.source, o.destination, now);
    facts.bytesIn = o.request.line.length + o.request.bodyPrefix.length;
    let bytes: Buffer;
    if (plan.play.service === 'irc-probe') {
      const probe = ircProbeAnswer(o.request, plan.play.serverName, o.source.ip);
      facts.irc = probe.irc.facts;
      bytes = probe.answer;
    } else bytes = azenvAnswer(o.request, o.source, now);
    facts.bytesOut = bytes.length;
    plan.allowance.end();
    this.#emit(sessionEvent(facts, 'answered', now, this.#threatName));
    return bytes;
  }

  /** Take the abuser's socket for a planned tunnel: `held` are the bytes that came after its request. */
  #takeOver(plan: Plan<'tunnel'>, socket: Duplex, held: Buffer): void {
    if (socket.destroyed) return;
    const o = plan.observation;
    const facts = newSessionFacts(plan.play, o.source, o.destination, this.#clock());
    const s = this.#settings;
    let speaker: Speaker | null = null;
    if (plan.play.service === 'smtp')
      speaker = smtpSpeaker(
        facts,
        { ...DEFAULT_SMTP_LIMITS, maxMessageBytes: s.quarantine.maxMessageBytes, maxCommands: s.session.commands },
        { quarantine: this.#quarantine, emit: this.#emit, threatName: this.#threatName, clock: this.#clock },
      );
    else if (plan.play.service === 'irc') speaker = ircSpeaker(facts, s.session.commands);
    const session = new TunnelSession(socket, facts, speaker, {
      allowance: plan.allowance,
      limits: { idleMs: s.session.idleMs, lifetimeMs: s.session.lifetimeMs },
      emit: this.#emit,
      threatName: this.#threatName,
      clock: this.#clock,
      ended: () => this.#sessions.delete(session),
    });
    this.#sessions.add(session);
    session.start(held);
  }

  /** End every open session now (shutdown): their events go out, their sockets are closed. */
  endSessions(): void {
    for (const session of [...this.#sessions]) session.end('shutdown');
  }

  /** End what is open, wait for messages being written. */
  async close(): Promise<void> {
    this.endSessions();
    await this.#quarantine.close();
  }

  #plan<K extends PlayAlong['kind']>(
    play: Extract<PlayAlong, { kind: K }>,
    observation: HttpObservation,
  ): Plan<K> | null {
    const allowance = this.#budget.start(observation.source.ip);
    return allowance === null ? null : { play, observation, allowance };
  }
}
