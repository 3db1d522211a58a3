import type { CutRequest, Framed, FramerOptions } from './framed.js';
import { endsInHttpVersion, isResponseStart, looksLikeRequest } from './messageStart.js';

/** The HTTP framer's (./framer.ts) pure parts: reading its bytes in place, and what it reports. */

/** A framer's items before its first: its array is made with that item (room for one; a push into an empty array reserves 17). */
export const NO_ITEMS: Framed[] = [];

/** `items` with `item` appended: `items` itself, or a new array of `item` for NO_ITEMS (never pushed to). */
export function appended(items: Framed[], item: Framed): Framed[] {
  if (items === NO_ITEMS) return [item];
  items.push(item);
  return items;
}

/** `items` emptied for a push: popped, not cut off (`length = 0` drops its storage, which the next push allocates again). */
export function cleared(items: Framed[]): Framed[] {
  while (items.length > 0) items.pop();
  return items;
}

/** The first LF in `b[from, to)`, or -1 (bounded: the bytes go on past the delivery). */
export function lfIn(b: Uint8Array, from: number, to: number): number {
  for (let i = from; i < to; i++) if (b[i] === 0x0a) return i;
  return -1;
}

/** What the rule engine reads of a request: its head, `head[from, to)`, and its body's prefix, in bytes of its own. */
export function joinedRaw(head: Uint8Array, from: number, to: number, prefix: Uint8Array): Buffer {
  const raw = Buffer.allocUnsafe(to - from + prefix.length);
  raw.set(from === 0 && to === head.length ? head : head.subarray(from, to), 0);
  raw.set(prefix, to - from);
  return raw;
}

/**
 * A head that never ended (the stream ended, or it outgrew the bound): what the rule engine is
 * told of it. `lineOnly`: its first line never ended either.
 */
export function partialReport(
  head: Uint8Array,
  opts: FramerOptions,
  lineOnly: boolean,
  mayTunnel: boolean,
  spokeHttp: boolean,
): CutRequest | null {
  if (!opts.judged || isResponseStart(head)) return null;
  if (lineOnly) {
    // Its first line never ended: judged as that line would have been.
    const line = Buffer.from(head).toString('latin1');
    if (mayTunnel) return null;
    if (!opts.httpPort && !spokeHttp && !endsInHttpVersion(line)) return null;
  }
  const request = looksLikeRequest(head, 0);
  const text = request ? Buffer.from(head).toString('latin1') : '';
  return {
    raw: Buffer.from(head),
    method: request ? (text.split(/[ \r\n]/)[0] ?? '') : '',
    malformed: request ? 'request head incomplete' : null,
  };
}
