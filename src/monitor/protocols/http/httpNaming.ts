import type { ProtocolEvent } from '../events.js';
import { PART, PDUS, type Reading } from '../reading.js';
import type { HttpMessage } from './framed.js';
import type { HttpFramer } from './framer.js';
import { lineStart } from './messageStart.js';

/**
 * HTTP as tshark's dissector names one TCP conversation's frames, read off the one framer's
 * messages (./framer.ts) with the delivery they complete in: which frames complete a message
 * (`http_request`, `http_reply`, with the start of the body for its media type), which carry
 * only part of one (named by its first line once known), and which carry data that starts no
 * message as tshark judges it (`http_continuation`): a method tshark does not know (`FOO`,
 * `get`, which the rule engine judges all the same), line ends before a message, or the rest
 * of a delivery after such data. Its own state is what tshark's naming adds to the framing:
 * whether a message was seen yet.
 */
export class HttpNaming {
  /** Until a first message is seen, data that is no HTTP stays plain TCP (no "Continuation"). */
  #seen = false;

  /**
   * Name a delivery `b` that `framer` (its direction's) just framed, as the frame carrying it
   * (`fin`: its FIN) shows it; its events go to `out`. Data that starts no message is a
   * Continuation at once, as tshark shows it (it waits for a line's end only where the line
   * begins like a message).
   */
  read(framer: HttpFramer, b: Uint8Array, fin: boolean, out: ProtocolEvent[]): Reading {
    if (framer.startState === 'connect') return null;
    const items = framer.items;
    // A segment without data is plain TCP, unless it is the FIN that ends a body read to the close.
    if (b.length === 0 && !(fin && items.length > 0)) return null;
    const before = out.length;
    if (framer.startState === 'opaque') return this.#continuation(out, before, false);
    let i = 0;
    // A message that ended in a gap is never shown (tshark cannot reassemble it).
    while (i < items.length && (items[i] as HttpMessage).endedInGap === true) i++;
    let endedLost = false;
    if (framer.continued !== 'idle') {
      const first = items[i];
      if (first?.kind === 'message') {
        // It completes the message under way.
        i++;
        const named = this.#named(first);
        if (named === null) return this.#continuation(out, before, false);
        // A message with a hole is never reassembled: its last segment is one more segment.
        if (first.lost) endedLost = true;
        else out.push(named);
      } else if (first?.kind === 'junk') return this.#continuation(out, before, false);
      else if (framer.state !== 'http') return this.#continuation(out, before, false);
      else return this.#waiting(framer, out, before);
    }
    for (; i < items.length; i++) {
      const item = items[i];
      if (item === undefined || item.kind === 'junk') return this.#continuation(out, before, endedLost);
      const named = this.#named(item);
      if (named === null) return this.#continuation(out, before, endedLost);
      out.push(named);
    }
    if (framer.state === 'http' && framer.stage !== 'idle' && framer.begunInRun) {
      const line = framer.firstLine;
      // Its first line not complete yet: tshark waits for it to know what it is.
      if (line === '') return out.length > before ? PDUS : PART;
      if (framer.request && lineStart(line) === null) return this.#continuation(out, before, endedLost);
      this.#seen = true;
      if (out.length > before) return { kind: 'pdus', pending: line };
      if (endedLost) return { kind: 'part', begins: false, afterLost: true, pending: line };
      return { kind: 'part', begins: false, pending: line };
    }
    return end(out, before, endedLost);
  }

  /** A message under way since before this delivery, not complete yet. */
  #waiting(framer: HttpFramer, out: ProtocolEvent[], before: number): Reading {
    const line = framer.firstLine;
    if (line === '') return PART;
    if (framer.request && lineStart(line) === null) return this.#continuation(out, before, false);
    this.#seen = true;
    // Headers (the segment that ends them too), or a chunked body: tshark dissects the message
    // again with this segment, and names it.
    const again = (framer.stage === 'body' && framer.chunked) || (framer.continued !== 'body' && line !== '');
    return again ? { kind: 'part', begins: false, pending: line } : PART;
  }

  /** The event tshark shows for a message, or null when it takes its first line for no message. */
  #named(m: HttpMessage): ProtocolEvent | null {
    if (!m.request) {
      this.#seen = true;
      return { kind: 'http_reply', statusCode: m.status, firstLine: m.firstLine, body: m.body };
    }
    const start = lineStart(m.firstLine);
    if (start?.kind !== 'request') return null;
    this.#seen = true;
    return { kind: 'http_request', method: start.method, firstLine: m.firstLine, body: m.body };
  }

  /** The rest of the delivery is a Continuation, once a message was seen. */
  #continuation(out: ProtocolEvent[], before: number, endedLost: boolean): Reading {
    if (!this.#seen) return end(out, before, endedLost);
    out.push(CONTINUATION);
    return PDUS;
  }
}

const CONTINUATION: ProtocolEvent = { kind: 'http_continuation' };

function end(out: ProtocolEvent[], before: number, endedLost: boolean): Reading {
  if (out.length === before) return endedLost ? PART : null;
  return PDUS;
}
