import type { ImapPdu, ProtocolEvent } from './events.js';
import { PART, PDUS, type Reading } from './reading.js';
import { type Line, latin1, lineAt } from './textLines.js';
import { looksLikeTls } from './tls.js';

/**
 * IMAP as tshark's dissector reads it (packet-imap.c, tshark 4.0), port 143: per segment, the
 * first line not starting `*` (the tagged one) or else the message literal of an untagged
 * `* … FETCH (… {n}` reply (`imap_pdu`), and every tagged status the server sends
 * (`imap_tagged`). Lines are reassembled: a segment that ends mid-line holds that line for the
 * next one. The first two segments are taken for TLS when their first bytes are not printable
 * (a capture that starts after STARTTLS); an OK to STARTTLS switches to TLS as well.
 */
export const IMAP_PORT = 143;

/** Bytes tshark's TLS heuristic looks at (IMAP_HEUR_LEN). */
const HEURISTIC_BYTES = 5;
/** Tokens of an untagged line looked at for FETCH (NUM_LOOKAHEAD_TOKENS). */
const LOOKAHEAD_TOKENS = 3;
/** Bytes held for a line or literal still to come (as HTTP holds a head); past this the segment is read as it is. */
const MAX_HELD = 64 * 1024;

/** Commands tshark compares with strncmp(command, name, commandLength), in its order. */
const FOLDER_COMMANDS = ['select', 'examine', 'create', 'delete', 'rename', 'subscribe', 'unsubscribe', 'status'];
const MORE_COMMANDS = ['append', 'search', 'copy', 'starttls', 'login'];

const EMPTY = new Uint8Array(0);

/** What the segment's lines show, as the loop over them finds it. */
interface Shown {
  shows: ImapPdu['shows'];
  start: number;
  end: number;
  literal: readonly [number, number] | null;
}

export class ImapConversation {
  readonly #held: [Uint8Array, Uint8Array] = [EMPTY, EMPTY];
  #heuristicTries = 2;
  /** The heuristic handed a segment to TLS that was none: later TLS records still switch to TLS. */
  #tlsAhead = false;
  #startTlsRequested = false;
  #tls = false;

  /** An OK to STARTTLS was seen, or the heuristic found TLS: what follows is TLS. */
  get tlsStarted(): boolean {
    return this.#tls;
  }

  /** A segment's payload; its events go to `out`. 'tls' when the conversation turns out to be TLS from this segment on. */
  onSegment(dir: 0 | 1, payload: Uint8Array, toServer: boolean, out: ProtocolEvent[]): Reading | 'tls' {
    if (payload.length === 0) return null;
    const held = this.#held[dir];
    const pdu = held.length > 0 ? Buffer.concat([held, payload]) : payload;
    this.#held[dir] = EMPTY;
    if (this.#heuristicTries > 0) {
      this.#heuristicTries--;
      if (!printableStart(pdu)) {
        this.#heuristicTries = 0;
        // Handed to TLS: a TLS record starts TLS for good; anything else (a line shorter than
        // the five bytes looked at) is shown as bare TCP, and IMAP goes on until a TLS record.
        if (!looksLikeTls(pdu)) {
          this.#tlsAhead = true;
          return null;
        }
        this.#tls = true;
        return 'tls';
      }
    } else if (this.#tlsAhead && looksLikeTls(pdu)) {
      this.#tls = true;
      return 'tls';
    }
    if (lineAt(pdu, 0, true) === null) return this.#hold(dir, pdu, 0, toServer, null, out);
    const shown: Shown = { shows: 'nothing', start: 0, end: 0, literal: null };
    let lastLength = 0;
    for (let at = 0; at < pdu.length; ) {
      const line = lineAt(pdu, at, true);
      if (line === null) return this.#hold(dir, pdu, at, toServer, shown, out);
      lastLength = line.end - at;
      let next = line.next;
      if (pdu[at] === 0x2a) {
        const fetch = fetchLiteral(pdu, at, line);
        if (fetch === 'incomplete') return this.#hold(dir, pdu, at, toServer, shown, out);
        if (fetch !== null) {
          shown.literal = [line.next, line.next + fetch];
          if (shown.shows === 'nothing')
            [shown.shows, shown.start, shown.end] = ['literal', line.next, line.next + fetch];
          next = line.next + fetch;
        }
      } else {
        if (shown.shows === 'nothing') [shown.shows, shown.start, shown.end] = ['line', at, line.end];
        // tshark's LOGIN parsing throws on a password token shorter than its quotes; the rest is lost.
        if (this.#tokens(pdu, at, line.end, toServer, out) === 'malformed') {
          out.push(imapPdu(toServer, pdu, shown, true, false));
          return PDUS;
        }
      }
      at = next;
    }
    // Only untagged lines: tshark shows the data's start, as long as the last line it read.
    if (shown.shows === 'nothing')
      [shown.shows, shown.start, shown.end] = ['start', 0, Math.min(lastLength, pdu.length)];
    out.push(imapPdu(toServer, pdu, shown, false, false));
    return PDUS;
  }

  /**
   * Hold `pdu` from `at` for the next segment. When lines before it were read, this segment
   * shows them; otherwise it is a segment of a PDU still to come.
   */
  #hold(
    dir: 0 | 1,
    pdu: Uint8Array,
    at: number,
    toServer: boolean,
    shown: Shown | null,
    out: ProtocolEvent[],
  ): Reading {
    if (pdu.length - at >= MAX_HELD) {
      out.push(imapPdu(toServer, pdu, { shows: 'nothing', start: 0, end: 0, literal: null }, false, true));
      return PDUS;
    }
    this.#held[dir] = Uint8Array.from(pdu.subarray(at));
    if (shown === null || at === 0) return PART;
    out.push(imapPdu(toServer, pdu, shown, false, true));
    return PDUS;
  }

  /** A tagged line's tag, command or status: STARTTLS and the OK that accepts it, and LOGIN's arguments. */
  #tokens(b: Uint8Array, at: number, end: number, toServer: boolean, out: ProtocolEvent[]): 'malformed' | null {
    const tag = token(b, at, end);
    if (tag === null) return null;
    let second = token(b, tag.next, end);
    if (second === null) return null;
    let word = latin1(b, second.start, second.end).toLowerCase();
    if (!toServer) out.push(tagged(b, tag, second, end));
    if (toServer) {
      // tvb_strncaseeql(command, "UID", its length): any prefix of UID is taken for it.
      if ('uid'.startsWith(word)) {
        second = token(b, second.next, end);
        if (second === null) return null;
        word = latin1(b, second.start, second.end).toLowerCase();
      }
      const command = [...FOLDER_COMMANDS, ...MORE_COMMANDS].find((c) => c.startsWith(word));
      if (command === 'starttls') this.#startTlsRequested = true;
      else if (command === 'login') {
        const user = token(b, second.next, end);
        const password = user === null ? null : token(b, user.next, end);
        // The password is read from inside its quotes: one character or none is too short.
        if (password === null || password.end - password.start < 2) return 'malformed';
      }
    } else if (this.#startTlsRequested && 'ok'.startsWith(word)) {
      this.#tls = true;
      this.#startTlsRequested = false;
    }
    return null;
  }
}

function imapPdu(toServer: boolean, pdu: Uint8Array, s: Shown, malformed: boolean, held: boolean): ImapPdu {
  return { kind: 'imap_pdu', toServer, pdu, ...s, malformed, held };
}

/** A server's tagged line: its tag, status and bracketed response code. */
function tagged(b: Uint8Array, tag: Token, status: Token, end: number): ProtocolEvent {
  let code: string | null = null;
  if (b[status.next] === 0x5b) {
    const close = b.indexOf(0x5d, status.next);
    if (close > 0 && close < end) {
      const text = latin1(b, status.next + 1, close);
      const space = text.indexOf(' ');
      code = (space < 0 ? text : text.slice(0, space)).toUpperCase();
    }
  }
  return {
    kind: 'imap_tagged',
    tag: latin1(b, tag.start, tag.end),
    status: latin1(b, status.start, status.end).toUpperCase(),
    code,
  };
}

interface Token {
  readonly start: number;
  readonly end: number;
  readonly next: number;
}

/** tvb_get_token_len: a token ends at a blank or the line's end; `next` skips the blanks after it. */
function token(b: Uint8Array, at: number, end: number): Token | null {
  let stop = at;
  while (stop < end && b[stop] !== 0x20) stop++;
  if (stop === at) return null;
  let next = stop;
  while (next < end && b[next] === 0x20) next++;
  return { start: at, end: stop, next };
}

function isBlank(c: number | undefined): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

/**
 * An untagged line with FETCH among its first tokens: the size of its `{n}` literal when the
 * literal and the `)` after it are all here; 'incomplete' when tshark would wait for more; null
 * for any other line (and a FETCH without a literal).
 */
function fetchLiteral(b: Uint8Array, at: number, line: Line): number | 'incomplete' | null {
  let fetchEnd = -1;
  let count = 0;
  for (let i = at + 1; i < line.next && count < LOOKAHEAD_TOKENS; ) {
    let stop = i;
    while (stop < line.next && !isBlank(b[stop])) stop++;
    if (stop > i) {
      count++;
      if (fetchEnd < 0 && caselessPrefixOf(b, i, stop, 'FETCH')) fetchEnd = stop;
    }
    i = stop + 1;
  }
  if (count < 2 || fetchEnd < 0) return null;
  const open = b.indexOf(0x28, fetchEnd);
  if (open < 0 || open + 1 >= b.length) return 'incomplete';
  const brace = b.indexOf(0x7b, open);
  if (brace < 0) return lineAt(b, open, true) === null ? 'incomplete' : null;
  const close = b.indexOf(0x7d, brace + 1);
  if (close < 0) return 'incomplete';
  const size = decimal(b, brace + 1, close);
  if (size === null) return 'incomplete';
  if (close + size >= b.length || b.indexOf(0x29, close + size) < 0) return 'incomplete';
  return size;
}

/** ws_strtou32 of the whole text: a decimal number below 2^32, or null. */
function decimal(b: Uint8Array, start: number, end: number): number | null {
  if (end <= start || end - start > 10) return null;
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = b[i] as number;
    if (c < 0x30 || c > 0x39) return null;
    n = n * 10 + c - 0x30;
  }
  return n <= 0xffffffff ? n : null;
}

/** tvb_strncaseeql(token, "FETCH", token length) === 0: the token is a case-folded prefix of FETCH. */
function caselessPrefixOf(b: Uint8Array, start: number, end: number, word: string): boolean {
  if (end - start > word.length) return false;
  for (let i = start; i < end; i++) if (((b[i] as number) | 0x20) !== (word.charCodeAt(i - start) | 0x20)) return false;
  return true;
}

/** The first bytes are printable ASCII, or too few to tell (tshark's check_imap_heur). */
function printableStart(b: Uint8Array): boolean {
  if (b.length < HEURISTIC_BYTES) return true;
  for (let i = 0; i < HEURISTIC_BYTES; i++) if ((b[i] as number) < 0x20 || (b[i] as number) > 0x7e) return false;
  return true;
}
