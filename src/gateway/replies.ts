import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * The gateway's own answers on a connection, in the order the requests came. A refused request
 * is answered with raw bytes (the 2003 incident's exact `400 Bad Request`, then FIN), but only once every
 * answer to the requests pipelined before it has gone out; nothing after it on that connection
 * is forwarded (see `isRefused`).
 */

const refused = new WeakSet<Duplex>();

/** True once a request on this connection was refused: later pipelined requests are ignored. */
export function isRefused(socket: Duplex): boolean {
  return refused.has(socket);
}

/** Answer `res`'s request with `answer` and close, when its turn on the connection comes. */
export function refuseInTurn(res: ServerResponse, socket: Duplex, answer: Buffer): void {
  refused.add(socket);
  if (res.socket) endWith(socket, answer);
  else res.once('socket', () => endWith(socket, answer));
}

/**
 * For answers outside node's response queue (CONNECT, upgrades, parse errors): run `write` once
 * the responses to earlier pipelined requests on this socket have been sent.
 */
export function afterPending(socket: Duplex, write: () => void): void {
  const pending = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
  // A pending answer whose request never completed belongs to the request that broke the
  // parse (a bad chunk in its body): nothing earlier is waiting, so the answer goes now.
  if (!pending || pending.writableFinished || pending.req?.complete === false) {
    if (pending?.headersSent && !pending.writableFinished) socket.destroy();
    else write();
    return;
  }
  // Node moves on to the next queued response in its own 'finish' listener, registered first.
  pending.once('finish', () => afterPending(socket, write));
  pending.once('close', () => {
    if (!pending.writableFinished) socket.destroy();
  });
}

/** Refuse outside node's response queue: mark, wait for earlier answers, then write and close. */
export function refuseAfterPending(socket: Duplex, answer: Buffer): void {
  refused.add(socket);
  afterPending(socket, () => endWith(socket, answer));
}

function endWith(socket: Duplex, answer: Buffer): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(answer);
  closeAfterFlush(socket);
}

/**
 * After `end(answer)` the FIN goes out with the answer. Node's HTTP sockets allow half-open
 * connections, so the socket is destroyed once the client closes its side too, or after a
 * short grace period; whatever the client still sends is read and discarded meanwhile (closing
 * with unread data would send a RST, which can wipe the answer from the client's buffer).
 */
export function closeAfterFlush(socket: Duplex): void {
  const timer = setTimeout(() => socket.destroy(), 1000);
  timer.unref();
  socket.on('data', () => {});
  socket.resume();
  socket.once('end', () => socket.destroy());
  socket.once('close', () => clearTimeout(timer));
}
