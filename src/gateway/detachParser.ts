import type { Socket } from 'node:net';

type NodeParser = {
  _consumed?: boolean;
  unconsume(): void;
  remove(): void;
  close(): void;
  socket?: unknown;
};

/**
 * Take a connection away from node's HTTP server after its parser refused the request (the
 * 2003 PrettyPark worm's four-token `CONNECT host:25 / HTTP/1.0`), as node itself does for a
 * CONNECT it parsed: the parser stops reading the socket and leaves the server's timeout list,
 * node's data and end listeners go, and the socket is a plain stream again. Only the honeypot
 * asks for this, to play the mail server the worm asked for.
 *
 * `socket.parser` is not a public API, so its shape is tested first: false means the connection
 * could not be taken (or an earlier answer on it is still going out), and the caller refuses it
 * as it always has.
 */
function detachFromHttp(socket: Socket): boolean {
  const s = socket as Socket & { parser?: NodeParser | null; _httpMessage?: { writableFinished: boolean } | null };
  const parser = s.parser;
  // An answer to an earlier pipelined request still going out needs node's listeners: not taken.
  const pending = s._httpMessage;
  if (
    (pending && !pending.writableFinished) ||
    !parser ||
    typeof parser.unconsume !== 'function' ||
    typeof parser.remove !== 'function' ||
    typeof parser.close !== 'function'
  )
    return false;
  for (const event of ['data', 'end', 'drain', 'timeout', 'pause', 'resume'] as const) socket.removeAllListeners(event);
  if (parser._consumed) parser.unconsume();
  parser._consumed = false;
  parser.remove();
  parser.socket = null;
  s.parser = null;
  // As node does for a parser it does not return to its free list: closed once its stack has unwound.
  setImmediate(() => parser.close());
  socket.setTimeout(0);
  // As node leaves a CONNECT's socket: neither flowing nor paused, until its new reader listens.
  (socket as { readableFlowing: boolean | null }).readableFlowing = null;
  return true;
}

/**
 * A connection whose request node's parser refused, taken for a tunnel: the bytes that came
 * after the request head, or null when it cannot be taken (the head is not complete in `raw`,
 * or node's parser is not as expected) — then it is refused as always.
 */
export function takeRefusedConnection(socket: Socket, raw: Buffer): Buffer | null {
  const held = bytesAfterHead(raw);
  return held !== null && detachFromHttp(socket) ? held : null;
}

/**
 * The bytes a client sent after its request head, in the buffer the parser refused: what a
 * tunnel must see first. Null when the head is not complete in it (its end has not arrived).
 */
function bytesAfterHead(raw: Buffer): Buffer | null {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return raw.subarray(crlf + 4);
  if (lf >= 0) return raw.subarray(lf + 2);
  return null;
}
