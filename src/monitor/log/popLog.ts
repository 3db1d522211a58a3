import type { ByteBudget } from './byteBudget.js';
import { fitInfo, formatUtf8 } from './columnText.js';
import { imfColumns } from './imfInfo.js';
import { latin1, lineOrRest, startsWithText } from './textLines.js';

/**
 * POP3 in tshark's packet log (packet-pop.c, tshark 4.0), port 110: `C: <first line>` and
 * `S: <first line>` for replies that start `+OK` or `-ERR`; any other server segment is message
 * data (`S: DATA fragment, N bytes`), gathered until the size a RETR or TOP reply announced is
 * read, then shown as the mail IMF makes of it (`POP/IMF`). After `+OK ` to STLS, TLS.
 */
export const POP_PORT = 110;

/** Message data kept per conversation for the IMF summary (tshark keeps it all), within the shared budget. */
const MAX_MESSAGE = 64 * 1024;

export class PopLogConversation {
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

  onSegment(payload: Uint8Array, toServer: boolean): { protocol: string; info: string } {
    const lineEnd = lineOrRest(payload, 0).end;
    if (!toServer && !startsWithText(payload, 0, '+OK') && !startsWithText(payload, 0, '-ERR'))
      return this.#data(payload);
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
    return { protocol: 'POP', info: fitInfo(`${toServer ? 'C' : 'S'}: ${formatUtf8(payload, 0, lineEnd, false)}`) };
  }

  /** Let go of the message data kept so far (the message ended, or the conversation is forgotten). */
  dispose(): void {
    this.#budget.give(this.#kept);
    this.#message = [];
    this.#kept = 0;
  }

  /** A server segment that is no reply: a fragment of the message, or its last. */
  #data(payload: Uint8Array): { protocol: string; info: string } {
    this.#read += payload.length;
    const room = this.#budget.take(Math.min(payload.length, MAX_MESSAGE - this.#kept));
    if (room > 0) {
      this.#message.push(Uint8Array.from(payload.subarray(0, room)));
      this.#kept += room;
    }
    if (this.#read < this.#expected)
      return {
        protocol: 'POP',
        info: `S: DATA fragment, ${payload.length} byte${payload.length === 1 ? '' : 's'}`,
      };
    const message = Buffer.concat(this.#message);
    this.dispose();
    this.#read = 0;
    this.#expected = 0;
    const imf = imfColumns(message);
    return { protocol: `POP/${imf.protocol}`, info: fitInfo(imf.info) };
  }
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
