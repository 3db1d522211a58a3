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

/**
 * A ban made by this refusal that sibling gateway processes are still being told of: the answer
 * waits until they hold it (../gateway/cluster/), so the source cannot learn of its refusal and
 * reach a sibling that would still serve it. Null, as always in one process: no wait.
 */
export type BanHeld = Promise<void> | null;

/** Answer `res`'s request with `answer` and close, when its turn on the connection comes (and `held` settled). */
export function refuseInTurn(res: ServerResponse, socket: Duplex, answer: Buffer, held: BanHeld = null): void {
  refused.add(socket);
  if (held !== null) held.then(() => refuseInTurn(res, socket, answer));
  else if (res.socket) endWith(socket, answer);
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

/** Refuse outside node's response queue: mark, wait for earlier answers (and `held`), then write and close. */
export function refuseAfterPending(socket: Duplex, answer: Buffer, held: BanHeld = null): void {
  refused.add(socket);
  afterPending(socket, () => afterHeld(held, () => endWith(socket, answer)));
}

/** Drop a banned source's connection unanswered, once `held` settled; nothing more on it is read as a request. */
export function dropAfterHeld(socket: Duplex, held: BanHeld): void {
  refused.add(socket);
  afterHeld(held, () => socket.destroy());
}

/** Run `write` now, or once the ban it announces is held by every sibling. */
export function afterHeld(held: BanHeld, write: () => void): void {
  if (held === null) write();
  else held.then(write);
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
