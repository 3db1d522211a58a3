import { authorityPort } from './headFacts.js';
import { bufferOf, firstLineOf, lineCut } from './messageStart.js';

/**
 * A message's first line read where it lies, `b[start, lf)` (its LF at `lf`, a CR before it cut
 * as the line's text cuts it): the framer (./framer.ts) reads a request's method and a
 * response's status off the bytes, and makes the line's text only for the packet log or a
 * CONNECT's authority.
 */

/** The first space of the line, or -1. */
function spaceIn(b: Uint8Array, start: number, cut: number): number {
  for (let i = start; i < cut; i++) if (b[i] === 0x20) return i;
  return -1;
}

/**
 * The status code: the three digits after the line's first space (`HTTP/1.1 200 OK`,
 * SHOUTcast's `ICY 200 OK`); NaN when there are none.
 */
export function statusAt(b: Uint8Array, start: number, lf: number): number {
  const cut = lineCut(b, start, lf);
  const space = spaceIn(b, start, cut);
  if (space < 0 || cut < space + 4) return Number.NaN;
  let code = 0;
  for (let i = space + 1; i < space + 4; i++) {
    const d = (b[i] as number) - 48;
    if (d < 0 || d > 9) return Number.NaN;
    code = code * 10 + d;
  }
  return code;
}

/** Methods as sent most often: taken as these strings, not made again for each request. */
const COMMON = ['GET', 'POST', 'HEAD', 'PUT', 'OPTIONS', 'CONNECT', 'DELETE', 'PATCH'].map((m) => ({
  method: m,
  bytes: Array.from(m, (c) => c.charCodeAt(0)),
}));

/** The request's method as sent: the line up to its first space (all of it without one). */
export function methodAt(b: Uint8Array, start: number, lf: number): string {
  const cut = lineCut(b, start, lf);
  const space = spaceIn(b, start, cut);
  const end = space < 0 ? cut : space;
  for (const { method, bytes } of COMMON) if (sameAt(b, start, end, bytes)) return method;
  return bufferOf(b).toString('latin1', start, end);
}

function sameAt(b: Uint8Array, start: number, end: number, bytes: readonly number[]): boolean {
  if (end - start !== bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (b[start + i] !== bytes[i]) return false;
  return true;
}

const COMMON_METHODS: ReadonlySet<string> = new Set(COMMON.map((c) => c.method));

/** `method` upper-cased: a common one, as `methodAt` gives it, is already. */
export function upperMethod(method: string): string {
  return COMMON_METHODS.has(method) ? method : method.toUpperCase();
}

/**
 * `authorityPort` of the line (a CONNECT's, `CONNECT host:25 HTTP/1.0`), read off the bytes
 * when the port is one to five digits; anything else (`0x19`, ` 25`, a long run of zeros) is
 * left to `authorityPort` on the line's text, whose reading (`Number`) it is.
 */
export function connectPortAt(b: Uint8Array, start: number, lf: number): number {
  const cut = lineCut(b, start, lf);
  const first = spaceIn(b, start, cut);
  if (first < 0) return 0;
  const second = spaceIn(b, first + 1, cut);
  const end = second < 0 ? cut : second;
  let colon = end - 1;
  while (colon > first && b[colon] !== 0x3a) colon--;
  if (colon === first || b[end - 1] === 0x5d) return 0;
  if (end - colon - 1 > 5) return authorityPort(firstLineOf(b, start, lf));
  let port = 0;
  for (let i = colon + 1; i < end; i++) {
    const d = (b[i] as number) - 48;
    if (d < 0 || d > 9) return authorityPort(firstLineOf(b, start, lf));
    port = port * 10 + d;
  }
  return port > 0 && port < 65536 ? port : 0;
}
