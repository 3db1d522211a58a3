import type { IncomingMessage } from 'node:http';

/** What reading the start of a request body gave. */
export type BodyStart =
  /** The whole body arrived within the inspection limit. */
  | { readonly kind: 'whole'; readonly body: Buffer }
  /** The limit was reached; `rest` yields the remainder (and the request is paused until asked). */
  | { readonly kind: 'prefix'; readonly head: Buffer; readonly rest: AsyncIterable<Buffer> }
  /** The client went away, or the read was cut (too slow). */
  | { readonly kind: 'aborted' };

/** Does this request carry a body? (Node has refused ambiguous framing by now.) */
export function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return length !== '0';
  return req.headers['transfer-encoding'] !== undefined;
}

/**
 * Read a request body up to `limit` bytes before any upstream connection is taken: a body
 * that fits is held whole (nginx's `proxy_request_buffering`), so a client trickling it ties up
 * nothing but its own socket; a longer one is judged on its first `limit` bytes and then streams.
 */
export function readBodyStart(req: IncomingMessage, limit: number): Promise<BodyStart> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: BodyStart): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      size += chunk.length;
      if (size < limit) return;
      req.pause();
      finish({ kind: 'prefix', head: Buffer.concat(chunks, size), rest: remainder(req) });
    };
    const onEnd = (): void => finish({ kind: 'whole', body: Buffer.concat(chunks, size) });
    const onClose = (): void => {
      if (!req.complete) finish({ kind: 'aborted' });
    };
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('close', onClose);
  });
}

async function* remainder(req: IncomingMessage): AsyncIterable<Buffer> {
  for await (const chunk of req) yield chunk as Buffer;
}

/** The body to forward after a prefix was judged: the prefix, then the rest as it comes. */
export async function* prefixThenRest(head: Buffer, rest: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
  yield head;
  yield* rest;
}

/**
 * A minimum body rate (Apache's mod_reqtimeout `MinRate`, nginx's `client_body_timeout`): in
 * every `windowMs`, at least `minRate` bytes a second must arrive (at least one byte when the
 * rate is 0) — unless the gateway itself is holding the client back (its buffer is full
 * because the upstream reads slowly). `onSlow` is called once; the watch stops at the body's end.
 */
export function watchBodyRate(
  req: IncomingMessage,
  minRate: number,
  windowMs: number,
  onSlow: () => void,
): { stop(): void } {
  const socket = req.socket;
  let last = socket.bytesRead;
  const needed = Math.max(1, Math.floor((minRate * windowMs) / 1000));
  const timer = setInterval(() => {
    if (req.complete) return stop();
    const now = socket.bytesRead;
    const got = now - last;
    last = now;
    if (got >= needed || req.readableLength >= req.readableHighWaterMark) return;
    stop();
    onSlow();
  }, windowMs);
  timer.unref();
  const stop = (): void => clearInterval(timer);
  req.once('end', stop);
  req.once('close', stop);
  return { stop };
}
