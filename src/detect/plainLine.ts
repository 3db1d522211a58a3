/**
 * A request as an access-log line holds it, before anything is cut out of the line: offsets
 * into the line for the request line and the logged headers. `PlainGate.clearsLine` reads it,
 * so a log's harmless lines are cleared before they are parsed (../logs/lineCore.ts), and only
 * the few that may match are parsed in full and run through the rules.
 */
import { LIMITS } from '../observe/observation.js';

/** The headers a plain line may carry (what `common` and `combined` log), by lower-case name. */
export const PLAIN_LINE_HEADERS: readonly string[] = ['referer', 'user-agent'];

/** Filled in place, line after line: one per reader, nothing allocated per line. */
export class PlainLine {
  text = '';
  /** The request line as the client sent it: text[lineFrom, lineTo). */
  lineFrom = 0;
  lineTo = 0;
  /** The logged headers: names from PLAIN_LINE_HEADERS, values text[valueFrom[i], valueTo[i]). */
  headerCount = 0;
  readonly headerNames: string[] = [];
  readonly valueFrom: number[] = [];
  readonly valueTo: number[] = [];
  /** The peer address as logged: text[peerFrom, peerTo). */
  peerFrom = 0;
  peerTo = 0;
  /** The answer's status, for the reader's caller (the gate does not read it). */
  status: number | null = null;
  /** The source the Observation would name for that peer (trusted proxies), or null for the peer itself. */
  source: ((peer: string) => string) | null = null;

  addHeader(name: string, from: number, to: number): void {
    const i = this.headerCount++;
    this.headerNames[i] = name;
    this.valueFrom[i] = from;
    this.valueTo[i] = to;
  }

  sourceIp(): string {
    const peer = this.text.slice(this.peerFrom, this.peerTo);
    return this.source === null ? peer : this.source(peer);
  }
}

const SLASH = 47;
/**
 * Sticky, for a match from an offset (lastIndex): printable ASCII but the space. From the
 * target's start it ends at the target's end (its space) unless something else stops it first,
 * and reads no further — a search for anything else would go on through the rest of the line.
 */
const PRINTABLE_RUN = /[\x21-\x7e]*/y;

/**
 * Where the parts of the request line `text[from, to)` end — method, target, path, query — when
 * it surely makes a well-formed origin-form request (../observe/httpRequest.ts): an upper-case
 * method, a target starting with `/`, `HTTP/d.d`, single spaces, printable ASCII only, within
 * the length bound. Null for any other line (the gate then says "maybe").
 */
export function plainRequestCuts(text: string, from: number, to: number, cuts: Int32Array): Int32Array | null {
  if (to - from > LIMITS.requestLine) return null;
  const m = text.indexOf(' ', from);
  const t = m < 0 ? -1 : text.indexOf(' ', m + 1);
  if (m <= from || t < 0 || t >= to || text.charCodeAt(m + 1) !== SLASH || !httpVersion(text, t + 1, to)) return null;
  // Nothing but printable ASCII and those two spaces (the version has none, being HTTP/d.d; the
  // method's letters are checked below): the target, up to its space, is a printable run.
  PRINTABLE_RUN.lastIndex = m + 1;
  PRINTABLE_RUN.test(text);
  if (PRINTABLE_RUN.lastIndex !== t) return null;
  for (let i = from; i < m; i++) {
    const c = text.charCodeAt(i);
    if (c < 65 || c > 90) return null;
  }
  // The fragment is no part of path or query.
  const hash = text.indexOf('#', m + 1);
  const fragment = hash >= 0 && hash < t ? hash : t;
  const question = text.indexOf('?', m + 1);
  const q = question >= 0 && question < fragment ? question : fragment;
  cuts[0] = m;
  cuts[1] = t;
  cuts[2] = q;
  cuts[3] = fragment;
  return cuts;
}

/** `HTTP/d` or `HTTP/d.d` exactly from `from` to `to` (isHttpVersion, in place). */
function httpVersion(text: string, from: number, to: number): boolean {
  const n = to - from;
  if ((n !== 6 && n !== 8) || !text.startsWith('HTTP/', from) || !digit(text.charCodeAt(from + 5))) return false;
  return n === 6 || (text.charCodeAt(from + 6) === 46 /* . */ && digit(text.charCodeAt(from + 7)));
}

function digit(c: number): boolean {
  return c >= 48 && c <= 57;
}
