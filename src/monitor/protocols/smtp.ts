import type { ByteBudget } from './byteBudget.js';
import type { ProtocolEvent } from './events.js';
import { PART, PDUS, type Reading } from './reading.js';
import { isCommand, leadingNumber, replyCode, startsWithCaseless } from './smtpSyntax.js';
import { lineAt, startsWithText } from './textLines.js';

/**
 * SMTP as tshark's dissector reads it (packet-smtp.c, tshark 4.0), on ports 25 and 587: the
 * client's command lines (`smtp_request`, AUTH LOGIN's answers told apart), the server's
 * replies (`smtp_reply`), message data (`smtp_data`) and at the end of a message what was kept
 * of the mail (`smtp_message`). After a 220 reply to STARTTLS the conversation is TLS
 * (`tlsStarted`).
 *
 * Lines are cut as tshark cuts them: a segment whose first line has no line end yet is held
 * (a part of a PDU) and read again with the next one.
 */

/** TCP ports tshark 4.0 gives to its SMTP dissector (465 is TLS's). */
export const SMTP_PORTS: ReadonlySet<number> = new Set([25, 587]);

/** What the client's segment carries, by its last line (tshark's smtp_proto_data.pdu_type). */
type Pdu = 'command' | 'message' | 'end-of-message';

type State = 'commands' | 'data' | 'awaiting-starttls';

/** tshark's smtp_auth_state_t, for the mechanisms whose answers it tells apart from commands. */
type Auth =
  | 'none'
  | 'login-start'
  | 'username-requested'
  | 'username-sent'
  | 'password-requested'
  | 'password-sent'
  | 'plain-start'
  | 'plain-requested'
  | 'plain-sent'
  | 'plain-credentials'
  | 'ntlm-requested'
  | 'ntlm-challenged'
  | 'ntlm-sent'
  | 'succeeded'
  | 'failed';

/** A first line held this long without a line end is read as it is: tshark would wait on, bansho stays bounded. */
const MAX_HELD = 64 * 1024;
/** Message bytes kept per conversation for the IMF summary: headers and the lines Info has room for come first. */
const MAX_MESSAGE = 64 * 1024;

const CR = 0x0d;
const LF = 0x0a;
const EMPTY = new Uint8Array(0);

/** What the client's frame is, as the classifying pass over its lines decided. */
interface ClientFrame {
  pdu: Pdu;
  /** Offset of the end-of-message line. */
  endAt: number;
  /** The frame answers AUTH LOGIN's username or password prompt. */
  answers: 'username' | 'password' | null;
  /** The frame is `AUTH LOGIN <username>`. */
  loginWithUsername: boolean;
}

export class SmtpConversation {
  readonly #held: [Uint8Array, Uint8Array] = [EMPTY, EMPTY];
  #state: State = 'commands';
  #auth: Auth = 'none';
  #crlfSeen = false;
  /** BDAT: bytes announced and read (tshark adds up every chunk of the conversation). */
  #chunkTotal = 0;
  #chunkRead = 0;
  /** Message data since the last end of message (tshark's DATA reassembly). */
  #message: Uint8Array[] = [];
  #messageBytes = 0;
  #tls = false;
  readonly #budget: ByteBudget;

  constructor(budget: ByteBudget) {
    this.#budget = budget;
  }

  /** A 220 reply to STARTTLS was seen: what follows in either direction is TLS. */
  get tlsStarted(): boolean {
    return this.#tls;
  }

  /** In-order payload of a segment toward the server (`toServer`) or from it; its events go to `out`. */
  onSegment(dir: 0 | 1, payload: Uint8Array, toServer: boolean, out: ProtocolEvent[]): Reading {
    if (payload.length === 0) return null;
    const held = this.#held[dir];
    const pdu = held.length > 0 ? Buffer.concat([held, payload]) : payload;
    this.#held[dir] = EMPTY;
    if (lineAt(pdu, 0, true) === null && pdu.length < MAX_HELD) {
      this.#held[dir] = pdu;
      return PART;
    }
    out.push(toServer ? this.#client(pdu) : this.#server(pdu));
    return PDUS;
  }

  #client(pdu: Uint8Array): ProtocolEvent {
    const frame = this.#classify(pdu);
    switch (frame.pdu) {
      case 'message':
        this.#keep(pdu);
        return { kind: 'smtp_data', length: pdu.length };
      case 'end-of-message': {
        if (frame.endAt > 0) this.#keep(pdu.subarray(0, frame.endAt));
        const message = this.#message.length === 1 ? this.#message[0] : Buffer.concat(this.#message);
        this.dispose();
        return { kind: 'smtp_message', message: message ?? EMPTY };
      }
      default:
        return {
          kind: 'smtp_request',
          lines: pdu,
          auth: frame.answers ?? (frame.loginWithUsername ? 'login-with-username' : null),
        };
    }
  }

  /** The first pass over a client frame's lines: the SMTP state machine, and what the frame is. */
  #classify(pdu: Uint8Array): ClientFrame {
    const frame: ClientFrame = { pdu: 'command', endAt: 0, answers: null, loginWithUsername: false };
    for (let at = 0; at < pdu.length; ) {
      const line = lineAt(pdu, at, true) ?? { end: pdu.length, next: pdu.length };
      if (this.#state === 'data') {
        if (this.#endOfMessageAt(pdu, at)) {
          frame.pdu = 'end-of-message';
          frame.endAt = at;
          this.#state = 'commands';
          break;
        }
        frame.pdu = 'message';
        if (this.#chunkTotal > 0) {
          this.#chunkRead += pdu.length - at;
          if (this.#chunkRead === this.#chunkTotal) {
            this.#state = 'commands';
            break;
          }
        }
      } else this.#command(pdu, at, line.end, frame);
      at = line.next;
    }
    return frame;
  }

  /** One line read in command state: a command moves the state machine; anything else is message data or an AUTH answer. */
  #command(pdu: Uint8Array, at: number, end: number, frame: ClientFrame): void {
    const length = end - at;
    let verbEnd = at;
    while (verbEnd < end && pdu[verbEnd] !== 0x20) verbEnd++;
    if (isCommand(pdu, at, verbEnd)) {
      frame.pdu = 'command';
      if (startsWithCaseless(pdu, at, end, 'DATA')) this.#state = 'data';
      else if (startsWithCaseless(pdu, at, end, 'BDAT')) {
        const size = leadingNumber(pdu, at + 5, end);
        this.#chunkTotal += size;
        this.#state = size === 0 ? 'commands' : 'data';
      } else if (startsWithCaseless(pdu, at, end, 'AUTH LOGIN')) {
        this.#auth = length <= 11 ? 'login-start' : 'username-sent';
        frame.loginWithUsername = length > 11;
      } else if (startsWithCaseless(pdu, at, end, 'AUTH PLAIN'))
        this.#auth = length <= 11 ? 'plain-start' : 'plain-credentials';
      else if (startsWithCaseless(pdu, at, end, 'AUTH NTLM') && length > 10) this.#auth = 'ntlm-requested';
      else if (startsWithCaseless(pdu, at, end, 'STARTTLS')) this.#state = 'awaiting-starttls';
      return;
    }
    switch (this.#auth) {
      case 'username-requested':
        this.#auth = 'username-sent';
        frame.answers = 'username';
        return;
      case 'password-requested':
        this.#auth = 'password-sent';
        frame.answers = 'password';
        return;
      case 'plain-requested':
        this.#auth = 'plain-sent';
        return;
      case 'ntlm-challenged':
        this.#auth = 'ntlm-sent';
        return;
      default:
        frame.pdu = 'message';
    }
  }

  /**
   * In data state: whether the line at `at` ends the message (`.` after a CRLF, or CRLF `.`
   * CRLF), then whether this frame ends with CRLF — tshark's crlf_seen, updated line by line.
   */
  #endOfMessageAt(pdu: Uint8Array, at: number): boolean {
    const end = (this.#crlfSeen && startsWithText(pdu, at, '.\r\n')) || startsWithText(pdu, at, '\r\n.\r\n');
    this.#crlfSeen = pdu.length >= 2 && pdu[pdu.length - 2] === CR && pdu[pdu.length - 1] === LF;
    return end;
  }

  /** Let go of the message data kept so far (the conversation is over, or forgotten). */
  dispose(): void {
    this.#budget.give(this.#messageBytes);
    this.#message = [];
    this.#messageBytes = 0;
  }

  #keep(data: Uint8Array): void {
    const room = this.#budget.take(Math.min(data.length, MAX_MESSAGE - this.#messageBytes));
    if (room <= 0) return;
    const kept = data.length <= room ? data : data.subarray(0, room);
    // A copy: `data` may be a view of a frame buffer that is reused.
    this.#message.push(Uint8Array.from(kept));
    this.#messageBytes += kept.length;
  }

  #server(pdu: Uint8Array): ProtocolEvent {
    // tshark's first pass runs over replies too: in data state they move crlf_seen.
    if (this.#state === 'data')
      for (let at = 0; at < pdu.length; ) {
        this.#endOfMessageAt(pdu, at);
        at = (lineAt(pdu, at, true) ?? { next: pdu.length }).next;
      }
    let first = -1;
    for (let at = 0; at < pdu.length; ) {
      const line = lineAt(pdu, at, false) ?? { end: pdu.length, next: pdu.length };
      const code = line.end - at >= 3 ? replyCode(pdu, at) : -1;
      // The event's code is RFC 5321's: three digits, then a blank, a hyphen or the line's end.
      if (at === 0 && (line.end === 3 || pdu[3] === 0x20 || pdu[3] === 0x2d)) first = code;
      if (code >= 0) this.#reply(code);
      at = line.next;
    }
    return { kind: 'smtp_reply', code: first, lines: pdu };
  }

  /** A reply's effect on STARTTLS and AUTH. */
  #reply(code: number): void {
    if (this.#state === 'awaiting-starttls') {
      if (code === 220) this.#tls = true;
      this.#state = 'commands';
    }
    if (code === 334) {
      const next: Partial<Record<Auth, Auth>> = {
        'login-start': 'username-requested',
        'username-sent': 'password-requested',
        'plain-requested': 'plain-sent',
        'plain-start': 'plain-requested',
        'ntlm-requested': 'ntlm-challenged',
      };
      this.#auth = next[this.#auth] ?? this.#auth;
    } else if (
      this.#auth === 'password-sent' ||
      this.#auth === 'plain-sent' ||
      this.#auth === 'ntlm-sent' ||
      this.#auth === 'plain-credentials'
    )
      this.#auth = code === 235 ? 'succeeded' : 'failed';
  }
}
