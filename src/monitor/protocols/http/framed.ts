import type { HttpBody } from '../events.js';
import type { HeadFacts } from './headFacts.js';

/** What the one HTTP framer (./framer.ts) makes of a delivery, and what it is made with. */

/** Body bytes the packet log keeps for the media dissectors: as sent, multipart, compressed. */
const PLAIN_KEPT = 16;
const MULTIPART_KEPT = 8192;
const ENCODED_KEPT = 512;

/** Body bytes the packet log keeps of a message with this head. */
export function keptForLog(facts: HeadFacts): number {
  if (facts.boundary !== null) return MULTIPART_KEPT;
  return facts.contentEncoding === null ? PLAIN_KEPT : ENCODED_KEPT;
}

/** What the rule engine reads of a request (or of data on an HTTP port that is none). */
export interface CutRequest {
  /** Request line, headers and the body prefix, as received. */
  readonly raw: Uint8Array;
  readonly method: string;
  /** Why the framing is broken, when it is (the request is still reported). */
  readonly malformed: string | null;
}

/** Where a direction stands: HTTP; the side that answered a CONNECT (the tunnel's bytes); no HTTP any more. */
export type FramerState = 'http' | 'connect' | 'opaque';

export interface HttpMessage extends CutRequest {
  readonly kind: 'message';
  readonly request: boolean;
  /** The first line as sent, without its line end (latin1): the packet log's, '' where none is made. */
  readonly firstLine: string;
  /** A response's status code (NaN without one). */
  readonly status: number;
  /** A response's Upgrade header, lower-cased. */
  readonly upgrade: string | null;
  /** The body's length and first bytes (kept only while the packet log is made). */
  readonly body: HttpBody;
  /** Bytes of its body were never captured (a gap given up). */
  readonly lost: boolean;
  /** It ended inside that gap: complete before the bytes that followed it. */
  readonly endedInGap: boolean;
  /** What the direction is after it: a CONNECT answered 2xx, a 101 (`opaque`), or still HTTP. */
  readonly opens: FramerState;
}

/**
 * Data at `at` that starts no message, skipped to the end of the delivery (`blank`: only line
 * ends before a message, which are skipped and framing goes on). `report`: what the rule
 * engine is told of it, when anything.
 */
export interface Junk {
  readonly kind: 'junk';
  readonly at: number;
  readonly blank: boolean;
  readonly report: CutRequest | null;
}

export type Framed = HttpMessage | Junk;

/** 'line': a message begun, its first line not complete; 'headers': the rest of its head; 'body'. */
export type Stage = 'idle' | 'line' | 'headers' | 'body';

/** The two directions' framers pair through this: a response's framing depends on its request's method. */
export interface Pairing {
  /** A request head was read in direction `dir` (its method upper-cased; a CONNECT's port, 0 for none or another method). */
  requestHead(dir: 0 | 1, method: string, connectPort: number): void;
  /** The method of the request a final response read in direction `dir` answers ('' for none). */
  takeMethod(dir: 0 | 1): string;
}

export interface FramerOptions {
  readonly dir: 0 | 1;
  /** Its requests go to the rule engine (the client's side): body prefix kept, non-HTTP data reported. */
  readonly judged: boolean;
  /** On an HTTP port, data that is no HTTP is reported (once); elsewhere a first request line must end in a version. */
  readonly httpPort: boolean;
  /** The packet log is made: bodies' first bytes are kept for it. */
  readonly logged: boolean;
}
