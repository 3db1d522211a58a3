import { u32 } from '../decode/bytes.js';
import { fitInfo } from './columnText.js';

/**
 * PostgreSQL's wire protocol in tshark's packet log (packet-pgsql.c, tshark 4.0), port 5432:
 * `>` for the client, `<` for the server, then the type letters of the messages the segment
 * completes, joined by `/` (`<T/D/C/Z`); the startup and SSL request messages have no letter.
 * Messages are reassembled across segments: a message completed by this segment is shown on its
 * own (`<D`) before the ones that follow it (`<D<D/D/C/Z`). After the server's one-byte `S`
 * to an SSL request, TLS.
 */
export const PGSQL_PORT = 5432;

/** The SSLRequest and GSSENCRequest codes: the server answers each with one byte. */
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;

/**
 * A segment that completes no message is a segment of a reassembled PDU: with the mark alone
 * for Info (`< [TCP segment of a reassembled PDU]`) when tshark's dissector looked at it, with
 * TCP's own Info when TCP kept it for a message of known length.
 */
export type PgsqlSegmentSummary =
  | { readonly kind: 'message'; readonly protocol: 'PGSQL'; readonly info: string }
  | { readonly kind: 'segment'; readonly info: '<' | '>' | null };

/** A message begun and not finished: its header cut short (its bytes so far), or its length known. */
type Pending = { readonly type: null; readonly head: readonly number[] } | { readonly type: string; missing: number };

export class PgsqlLogConversation {
  readonly #pending: [Pending | null, Pending | null] = [null, null];
  /** The client asked for SSL (or GSSAPI encryption): the server's next byte answers. */
  #encryptionAsked = false;
  #tls = false;

  /** The server accepted SSL: what follows is TLS. */
  get tlsStarted(): boolean {
    return this.#tls;
  }

  onSegment(dir: 0 | 1, segment: Uint8Array, toServer: boolean): PgsqlSegmentSummary | null {
    let b = segment;
    if (b.length === 0) return null;
    const mark = toServer ? '>' : '<';
    if (!toServer && this.#encryptionAsked && b.length === 1) {
      this.#encryptionAsked = false;
      if (b[0] === 0x53) this.#tls = true;
      return { kind: 'message', protocol: 'PGSQL', info: mark };
    }
    let info = '';
    let at = 0;
    const pending = this.#pending[dir];
    if (pending !== null && pending.type === null) {
      // A header cut short: tshark asks for one more segment and reads both as one.
      b = Buffer.concat([Uint8Array.from(pending.head), b]);
      this.#pending[dir] = null;
    } else if (pending !== null) {
      // A message of known length: reassembled exactly, and shown on its own before the rest.
      const take = Math.min(pending.missing, b.length);
      pending.missing -= take;
      at = take;
      if (pending.missing > 0) return { kind: 'segment', info: null };
      this.#pending[dir] = null;
      info = mark + pending.type;
      if (at >= b.length) return { kind: 'message', protocol: 'PGSQL', info: fitInfo(info) };
    }
    const letters: string[] = [];
    while (at < b.length) {
      const length = messageLength(b, at);
      if (length === null || at + length > b.length) {
        this.#pending[dir] =
          length === null
            ? { type: null, head: Array.from(b.subarray(at)) }
            : { type: typeOf(b, at), missing: at + length - b.length };
        break;
      }
      if (toServer && b[at] === 0 && length === 8) {
        const code = u32(b, at + 4);
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) this.#encryptionAsked = true;
      }
      letters.push(typeOf(b, at));
      at += length;
    }
    // Nothing completed, and nothing before: the segment starts a message still to come.
    if (letters.length === 0 && info === '') return { kind: 'segment', info: mark };
    info += mark + letters.join('/');
    return { kind: 'message', protocol: 'PGSQL', info: fitInfo(info) };
  }
}

/**
 * A message's length from its first bytes: type letter and 4-byte length (which counts itself),
 * or, with a zero first byte (startup, SSL and cancel requests), the 4-byte length alone. Null
 * when the header is not all here. A length below its own 4 bytes is read as the header alone;
 * only the count of bytes still missing is kept, so a message of any size costs nothing to wait for.
 */
function messageLength(b: Uint8Array, at: number): number | null {
  if (b[at] === 0) {
    if (at + 4 > b.length) return null;
    return Math.max(4, u32(b, at));
  }
  if (at + 5 > b.length) return null;
  return 1 + Math.max(4, u32(b, at + 1));
}

function typeOf(b: Uint8Array, at: number): string {
  return b[at] === 0 ? '' : String.fromCharCode(b[at] as number);
}
