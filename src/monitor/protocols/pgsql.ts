import { u32 } from '../decode/bytes.js';
import type { ProtocolEvent } from './events.js';
import { PART, PART_BEGUN, PDUS, type Reading } from './reading.js';

/**
 * PostgreSQL's wire protocol as tshark's dissector reads it (packet-pgsql.c, tshark 4.0), port
 * 5432: the type letters of the messages each segment completes (`pgsql_messages`; the startup
 * and SSL request messages have none), and the server's ErrorResponses (`pgsql_error`, with
 * their SQLSTATE: 28P01 is a wrong password). Messages are reassembled across segments: a
 * message completed by this segment is told apart from the ones that start in it. After the
 * server's one-byte `S` to an SSL request, TLS.
 */
export const PGSQL_PORT = 5432;

/** The SSLRequest and GSSENCRequest codes: the server answers each with one byte. */
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;

/** A message begun and not finished: its header cut short (its bytes so far), or its length known. */
type Pending = { readonly type: null; readonly head: readonly number[] } | { readonly type: string; missing: number };

export class PgsqlConversation {
  readonly #pending: [Pending | null, Pending | null] = [null, null];
  /** The client asked for SSL (or GSSAPI encryption): the server's next byte answers. */
  #encryptionAsked = false;
  #tls = false;

  /** The server accepted SSL: what follows is TLS. */
  get tlsStarted(): boolean {
    return this.#tls;
  }

  /**
   * A segment's payload; its events go to `out`. A segment that completes no message is a part
   * of one: `begins` when tshark's dissector looked at it (a message starts in it), not when TCP
   * kept it for a message of known length.
   */
  onSegment(dir: 0 | 1, segment: Uint8Array, toServer: boolean, out: ProtocolEvent[]): Reading {
    let b = segment;
    if (b.length === 0) return null;
    if (!toServer && this.#encryptionAsked && b.length === 1) {
      this.#encryptionAsked = false;
      if (b[0] === 0x53) this.#tls = true;
      out.push({ kind: 'pgsql_messages', toServer, completed: null, types: [] });
      return PDUS;
    }
    let completed: string | null = null;
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
      if (pending.missing > 0) return PART;
      this.#pending[dir] = null;
      completed = pending.type;
      if (at >= b.length) {
        out.push({ kind: 'pgsql_messages', toServer, completed, types: null });
        return PDUS;
      }
    }
    const types: string[] = [];
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
      if (!toServer && b[at] === 0x45) out.push(errorResponse(b, at + 5, at + length));
      types.push(typeOf(b, at));
      at += length;
    }
    // Nothing completed, and nothing before: the segment starts a message still to come.
    if (types.length === 0 && completed === null) return PART_BEGUN;
    out.push({ kind: 'pgsql_messages', toServer, completed, types });
    return PDUS;
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

/** An ErrorResponse's fields from `at` to `end`: its SQLSTATE (C) and severity (S). */
function errorResponse(b: Uint8Array, at: number, end: number): ProtocolEvent {
  let code = '';
  let severity = '';
  for (let field = at; field < end && b[field] !== 0; ) {
    const nul = b.indexOf(0, field + 1);
    const stop = nul < 0 || nul > end ? end : nul;
    if (b[field] === 0x43) code = Buffer.from(b.buffer, b.byteOffset + field + 1, stop - field - 1).toString('latin1');
    else if (b[field] === 0x53 && severity === '')
      severity = Buffer.from(b.buffer, b.byteOffset + field + 1, stop - field - 1).toString('latin1');
    if (nul < 0) break;
    field = nul + 1;
  }
  return { kind: 'pgsql_error', code, severity };
}
