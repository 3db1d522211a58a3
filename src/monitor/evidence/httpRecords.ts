import { headEnd } from '../protocols/http/headEnd.js';
import type { HttpRecord } from './records.js';

/**
 * A request as the connection read it, kept until the connection is reported or let go, and
 * once answered its status. The record is made from it only if the connection is reported.
 */
export class HttpTransaction {
  readonly ts: number;
  /** The request as cut from the stream: bytes of its own (a copy the framer made), bounded by it. */
  readonly #raw: Uint8Array;
  status: number | null = null;

  constructor(raw: Uint8Array, timeMs: number) {
    this.ts = timeMs / 1000;
    this.#raw = raw;
  }

  record(uid: string, depth: number): HttpRecord {
    const raw = this.#raw;
    const end = headEnd(raw);
    const head = Buffer.from(raw.buffer, raw.byteOffset, end < 0 ? raw.length : end).toString('latin1');
    const lineEnd = head.indexOf('\n');
    const requestLine = (lineEnd < 0 ? head : head.slice(0, lineEnd)).trimEnd();
    const [method = '', uri = '', protocol = ''] = requestLine.split(' ');
    let host: string | undefined;
    let userAgent: string | undefined;
    let bodyLength = 0;
    for (let at = lineEnd + 1; at > 0 && at < head.length; ) {
      const next = head.indexOf('\n', at);
      const stop = next < 0 ? head.length : next;
      const colon = head.indexOf(':', at);
      if (colon > at && colon < stop) {
        const name = head.slice(at, colon).trim().toLowerCase();
        const value = head.slice(colon + 1, stop).trim();
        if (name === 'host') host ??= value;
        else if (name === 'user-agent') userAgent ??= value;
        else if (name === 'content-length' && /^\d{1,15}$/.test(value)) bodyLength = Number(value);
      }
      at = stop + 1;
    }
    // In http.log's order; a field Zeek would leave unset is undefined, and left out when stored.
    return {
      ts: this.ts,
      uid,
      trans_depth: depth,
      method,
      host,
      uri,
      version: protocol.startsWith('HTTP/') ? protocol.slice(5) : undefined,
      user_agent: userAgent,
      request_body_len: bodyLength,
      status_code: this.status ?? undefined,
    };
  }
}
