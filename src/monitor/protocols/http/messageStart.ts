/** Request methods tshark's HTTP dissector recognises at the start of a message (packet-http.c). */
const METHODS = new Set([
  'GET',
  'PUT',
  'POST',
  'HEAD',
  'OPTIONS',
  'DELETE',
  'TRACE',
  'CONNECT',
  'PATCH',
  'LOCK',
  'UNLOCK',
  'COPY',
  'MOVE',
  'MKCOL',
  'PROPFIND',
  'PROPPATCH',
  'SEARCH',
  'NOTIFY',
  'SUBSCRIBE',
  'UNSUBSCRIBE',
  'M-SEARCH',
  'POLL',
  'BMOVE',
  'BCOPY',
  'BDELETE',
  'BPROPFIND',
  'BPROPPATCH',
  'MKWORKSPACE',
  'MKACTIVITY',
  'CHECKOUT',
  'CHECKIN',
  'UNCHECKOUT',
  'UPDATE',
  'LABEL',
  'MERGE',
  'BASELINE-CONTROL',
  'VERSION-CONTROL',
  'REPORT',
  'ACL',
  'MKREDIRECTREF',
  'UPDATEREDIRECTREF',
  'ORDERPATCH',
  'RPC_IN_DATA',
  'RPC_OUT_DATA',
  'RPC_CONNECT',
  'SSTP_DUPLEX_POST',
  // Configuration Manager (SCCM) client messaging, also sent by tools that attack it.
  'CCM_POST',
]);

export type MessageStart = { readonly kind: 'request'; readonly method: string } | { readonly kind: 'response' } | null;

/**
 * Does the data at `at` start an HTTP request or response, as tshark judges it? Its first token
 * (after an `M-` prefix, as in `M-POST`) is a known method, or starts with `HTTP/` or `ICY`
 * (a SHOUTcast response).
 */
export function messageStart(b: Uint8Array, at: number): MessageStart {
  let end = at;
  const limit = Math.min(b.length, at + 20);
  // The token ends at a space, or at the line's end (tshark takes a bare `OPTIONS` line too).
  while (end < limit && b[end] !== 0x20 && b[end] !== 0x0d && b[end] !== 0x0a) end++;
  let from = at;
  if (end - from >= 2 && b[from] === 0x4d && b[from + 1] === 0x2d) from += 2;
  if (startsWith(b, from, end, 'HTTP/') || startsWith(b, from, end, 'ICY')) return { kind: 'response' };
  if (end >= limit || end === from) return null;
  const method = Buffer.from(b.buffer, b.byteOffset + from, end - from).toString('latin1');
  return METHODS.has(method) ? { kind: 'request', method } : null;
}

function startsWith(b: Uint8Array, from: number, end: number, prefix: string): boolean {
  if (end - from < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (b[from + i] !== prefix.charCodeAt(i)) return false;
  return true;
}

/**
 * tshark's heuristic HTTP-over-TCP test for ports not registered to HTTP: the first line is a
 * response (`HTTP/1.`) or ends with `HTTP/1.x`.
 */
export function looksLikeHttp(b: Uint8Array): boolean {
  if (b.length >= 7 && Buffer.from(b.buffer, b.byteOffset, 7).toString('latin1') === 'HTTP/1.') return true;
  let eol = 0;
  const limit = Math.min(b.length, 4096);
  while (eol < limit && b[eol] !== 0x0a) eol++;
  if (eol >= limit) return false;
  let end = eol;
  if (end > 0 && b[end - 1] === 0x0d) end--;
  if (end < 8) return false;
  const tail = Buffer.from(b.buffer, b.byteOffset + end - 8, 7).toString('latin1');
  return tail === 'HTTP/1.' && messageStart(b, 0)?.kind === 'request';
}
