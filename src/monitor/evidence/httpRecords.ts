import { headEnd } from '../protocols/http/headEnd.js';
import type { HttpRecord } from './records.js';

/**
 * A request as the connection read it, kept until the connection is reported or let go, and
 * once answered its status. The record is made from it only if the connection is reported.
 */
export class HttpTransaction {
  readonly ts: number;
  /** The request as cut from the stream: bytes of its own (a copy the cutter made), bounded by it. */
  readonly #raw: Uint8Array;
  status: number | null = null;

  constructor(raw: Uint8Array, timeMs: number) {
    this.ts = timeMs / 1000;
    this.#raw = raw;
  }

  record(uid: string, depth: number): HttpRecord {
    const raw = this.#raw;
    const end = headEnd(raw);
    const text = Buffer.from(raw.buffer, raw.byteOffset, end < 0 ? raw.length : end).toString('latin1');
    const lines = text.split(/\r?\n/);
    const [method = '', uri = '', protocol = ''] = (lines[0] ?? '').split(' ');
    let host: string | undefined;
    let userAgent: string | undefined;
    let bodyLength = 0;
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'host') host ??= value;
      else if (name === 'user-agent') userAgent ??= value;
      else if (name === 'content-length' && /^\d{1,15}$/.test(value)) bodyLength = Number(value);
    }
    return {
      ts: this.ts,
      uid,
      trans_depth: depth,
      method,
      ...(host !== undefined ? { host } : {}),
      uri,
      ...(protocol.startsWith('HTTP/') ? { version: protocol.slice(5) } : {}),
      ...(userAgent !== undefined ? { user_agent: userAgent } : {}),
      request_body_len: bodyLength,
      ...(this.status !== null ? { status_code: this.status } : {}),
    };
  }
}
