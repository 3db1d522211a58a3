import type { Duplex } from 'node:stream';
import type { SecurityEvent } from '../events/securityEvent.js';
import { looksLikeTls, tlsServerName } from './firstBytes.js';
import { type Line, LineReader } from './lineReader.js';
import { type SessionEnd, type SessionFacts, sessionEvent } from './sessionEvents.js';
import type { SessionAllowance } from './sourceBudget.js';
import type { Speaker } from './speakers.js';

/** What an open proxy says to a CONNECT it accepts (the exact words). */
export const CONNECTION_ESTABLISHED = 'HTTP/1.0 200 Connection established\r\n\r\n';

/** First bytes of a tunnel kept for the record: a ClientHello with its SNI fits. */
export const FIRST_BYTES = 4096;
/** Answers queued unread by the abuser before we stop reading from it. */
const MAX_UNREAD = 64 * 1024;

export interface TunnelLimits {
  readonly idleMs: number;
  readonly lifetimeMs: number;
}

export interface TunnelDeps {
  readonly allowance: SessionAllowance;
  readonly limits: TunnelLimits;
  readonly emit: (event: SecurityEvent) => void;
  readonly threatName: (id: string) => string | undefined;
  readonly clock: () => number;
  /** Told once, when the session has ended and its event is out. */
  readonly ended: () => void;
}

/**
 * One tunnel the honeypot accepted: `200 Connection established`, then a speaker (the mail or
 * IRC server asked for) or silence, on the abuser's own socket. Bytes in are counted against the
 * session's and the source's budget; idle and lifetime timers end it; lines are answered one at a
 * time, and reading pauses while an answer waits (a message being quarantined) or while the
 * abuser does not read its answers. Nothing here opens a connection: the only socket is the abuser's.
 */
export class TunnelSession {
  readonly facts: SessionFacts;
  readonly #socket: Duplex;
  #speaker: Speaker | null;
  readonly #deps: TunnelDeps;
  readonly #reader: LineReader | null;
  #lines: Line[] = [];
  #next = 0;
  #answering = false;
  #ended = false;
  readonly #idle: NodeJS.Timeout;
  readonly #lifetime: NodeJS.Timeout;

  constructor(socket: Duplex, facts: SessionFacts, speaker: Speaker | null, deps: TunnelDeps) {
    this.#socket = socket;
    this.facts = facts;
    this.#speaker = speaker;
    this.#deps = deps;
    this.#reader = speaker ? new LineReader(speaker.maxLine) : null;
    this.#idle = setTimeout(() => this.#cut('idle'), deps.limits.idleMs);
    this.#lifetime = setTimeout(() => this.#cut('lifetime'), deps.limits.lifetimeMs);
    this.#idle.unref();
    this.#lifetime.unref();
  }

  /** Answer the CONNECT, greet, and take the bytes that came with the request (`held`). */
  start(held: Buffer): void {
    const socket = this.#socket;
    socket.on('error', () => this.end('closed'));
    socket.once('close', () => this.end('closed'));
    socket.once('end', () => this.end('closed'));
    this.#write(CONNECTION_ESTABLISHED + (this.#speaker?.greeting() ?? ''));
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.resume();
    if (held.length > 0) this.#onData(held);
  }

  /** End the session: the event goes out, the budget slot is given back, the socket closes. */
  end(why: SessionEnd): void {
    if (this.#ended) return;
    this.#ended = true;
    clearTimeout(this.#idle);
    clearTimeout(this.#lifetime);
    this.#deps.allowance.end();
    this.#deps.emit(sessionEvent(this.facts, why, this.#deps.clock(), this.#deps.threatName));
    const socket = this.#socket;
    if (why === 'shutdown') socket.destroy();
    else if (!socket.destroyed) {
      socket.end();
      const linger = setTimeout(() => socket.destroy(), 1000);
      linger.unref();
      socket.once('close', () => clearTimeout(linger));
    }
    this.#deps.ended();
  }

  #onData(chunk: Buffer): void {
    if (this.#ended) return;
    const first = this.facts.bytesIn === 0;
    this.facts.bytesIn += chunk.length;
    if (!this.#deps.allowance.spend(chunk.length)) {
      this.end('budget');
      return;
    }
    this.#idle.refresh();
    // A TLS hello to the mail or IRC server we pretend to be: we hold no certificate for that
    // name, so we fall silent, as the silent tunnel does, and keep what the hello says.
    if (first && this.#speaker !== null && looksLikeTls(chunk)) this.#speaker = null;
    if (this.#speaker === null || this.#reader === null) {
      this.#keepFirstBytes(chunk);
      return;
    }
    for (const line of this.#reader.push(chunk)) this.#lines.push(line);
    void this.#answerLines();
  }

  /** The first bytes of a tunnel nobody answers, and the SNI once a whole hello is among them. */
  #keepFirstBytes(chunk: Buffer): void {
    const f = this.facts;
    if (f.firstBytes.length >= FIRST_BYTES) return;
    f.firstBytes += chunk.subarray(0, FIRST_BYTES - f.firstBytes.length).toString('latin1');
    f.serverName ??= tlsServerName(Buffer.from(f.firstBytes, 'latin1'));
  }

  /** Answer queued lines in order; reading waits while an answer does. */
  async #answerLines(): Promise<void> {
    if (this.#answering) return;
    this.#answering = true;
    this.#socket.pause();
    try {
      // An index, not shift(): one chunk can hold tens of thousands of empty lines.
      for (; this.#next < this.#lines.length; this.#next++) {
        if (this.#ended || this.#speaker === null) return;
        const said = await this.#speaker.answer(this.#lines[this.#next] as Line);
        if (this.#ended) return;
        this.#write(said.text);
        if (said.close) {
          this.end('quit');
          return;
        }
      }
    } finally {
      this.#answering = false;
    }
    this.#lines = [];
    this.#next = 0;
    if (this.#socket.writableLength <= MAX_UNREAD) this.#socket.resume();
    else this.#socket.once('drain', () => this.#socket.resume());
  }

  #cut(why: 'idle' | 'lifetime'): void {
    if (this.#ended) return;
    const last = this.#speaker?.farewell(why) ?? '';
    if (last !== '') this.#write(last);
    this.end(why);
  }

  #write(text: string): void {
    if (text === '' || !this.#socket.writable) return;
    this.facts.bytesOut += text.length;
    this.#socket.write(Buffer.from(text, 'latin1'));
  }
}
