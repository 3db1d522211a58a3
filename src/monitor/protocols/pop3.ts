import type { ByteBudget } from './byteBudget.js';
import type { ProtocolEvent } from './events.js';
import { latin1, lineOrRest, startsWithText } from './textLines.js';

/**
 * POP3 as tshark's dissector reads it (packet-pop.c, tshark 4.0), port 110: the first line of
 * each client segment (`pop3_request`) and of each server segment that starts `+OK` or `-ERR`
 * (`pop3_reply`); any other server segment is message data (`pop3_data`), gathered until the
 * size a RETR or TOP reply announced is read (`pop3_message`). After `+OK ` to STLS, TLS.
 */
export const POP_PORT = 110;

/** Message data kept per conversation for the IMF summary (tshark keeps it all), within the shared budget. */
const MAX_MESSAGE = 64 * 1024;

export class Pop3Conversation {
  /** A RETR or TOP was sent: the next reply tells the message's size. */
  #messageRequested = false;
  #startTlsRequested = false;
  #tls = false;
  #expected = 0;
  #read = 0;
  #message: Uint8Array[] = [];
  #kept = 0;
  readonly #budget: ByteBudget;

  constructor(budget: ByteBudget) {
    this.#budget = budget;
  }

  /** A `+OK ` reply to STLS was seen: what follows in either direction is TLS. */
  get tlsStarted(): boolean {
    return this.#tls;
  }

  /** A segment's payload; its event goes to `out`. */
  onSegment(payload: Uint8Array, toServer: boolean, out: ProtocolEvent[]): void {
    const lineEnd = lineOrRest(payload, 0).end;
    const ok = startsWithText(payload, 0, '+OK');
    if (!toServer && !ok && !startsWithText(payload, 0, '-ERR')) {
      out.push(this.#data(payload));
      return;
    }
    const line = latin1(payload, 0, lineEnd);
    const upper = line.toUpperCase();
    if (toServer) {
      if (upper.startsWith('RETR') || upper.startsWith('TOP')) this.#messageRequested = true;
      if (upper.startsWith('STLS')) this.#startTlsRequested = true;
    } else {
      if (this.#messageRequested) {
        if (upper.startsWith('+OK ') && line.length > 4) {
          this.#read = 0;
          this.#expected = leadingNumber(line.slice(4));
        }
        this.#messageRequested = false;
      }
      if (this.#startTlsRequested) {
        if (upper.startsWith('+OK ')) this.#tls = true;
        this.#startTlsRequested = false;
      }
    }
    const bytes = payload.subarray(0, lineEnd);
    out.push(
      toServer
        ? { kind: 'pop3_request', line: bytes }
        : { kind: 'pop3_reply', ok, code: responseCode(line), line: bytes },
    );
  }

  /** Let go of the message data kept so far (the message ended, or the conversation is forgotten). */
  dispose(): void {
    this.#budget.give(this.#kept);
    this.#message = [];
    this.#kept = 0;
  }

  /** A server segment that is no reply: a fragment of the message, or its last. */
  #data(payload: Uint8Array): ProtocolEvent {
    this.#read += payload.length;
    const room = this.#budget.take(Math.min(payload.length, MAX_MESSAGE - this.#kept));
    if (room > 0) {
      this.#message.push(Uint8Array.from(payload.subarray(0, room)));
      this.#kept += room;
    }
    if (this.#read < this.#expected) return { kind: 'pop3_data', length: payload.length };
    const message = Buffer.concat(this.#message);
    this.dispose();
    this.#read = 0;
    this.#expected = 0;
    return { kind: 'pop3_message', message };
  }
}

/** The extended response code after the status (RFC 2449): `-ERR [AUTH] …` → `AUTH`; null without one. */
function responseCode(line: string): string | null {
  const space = line.indexOf(' ');
  if (space < 0 || line[space + 1] !== '[') return null;
  const close = line.indexOf(']', space + 2);
  return close < 0 ? null : line.slice(space + 2, close).toUpperCase();
}

/** sscanf's `%*s %u` after the first token: blanks, then digits; 0 when there are none. */
function leadingNumber(text: string): number {
  let i = 0;
  while (text[i] === ' ' || text[i] === '\t') i++;
  let n = 0;
  for (; i < text.length && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39; i++)
    n = (n * 10 + text.charCodeAt(i) - 0x30) % 2 ** 32;
  return n;
}
