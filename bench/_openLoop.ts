/**
 * A constant-rate (open-loop) HTTP load generator, for latency below saturation: requests are
 * due at fixed times (`rate` a second) whether or not earlier ones were answered, each on a free
 * keep-alive connection or, when all are busy, as soon as one frees; a request's latency counts
 * from when it was due (so a stall is not hidden by the requests it held back: "coordinated
 * omission"). wrk2 does this; it is not in Debian. The generator's own timer jitter (~1 ms)
 * is in every peer's figures alike, so compare peers measured in the same run.
 */
import { connect, type Socket } from 'node:net';

export interface OpenLoopResult {
  readonly rate: number;
  readonly completed: number;
  readonly errors: number;
  /** Milliseconds. */
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

interface Connection {
  /** Replaced when an answer closes it. */
  socket: Socket;
  /** When the request in flight was due (ms, performance.now()); null when idle. */
  due: number | null;
  buffered: Buffer;
}

const HEAD_END = Buffer.from('\r\n\r\n');

/** `rate` GET / a second for `seconds` over `connections` keep-alive connections to 127.0.0.1:`port`. */
export async function openLoop(port: number, rate: number, seconds: number, connections = 64): Promise<OpenLoopResult> {
  const request = Buffer.from(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
  const latencies = new Float64Array(Math.ceil(rate * seconds) + 1);
  let completed = 0;
  let errors = 0;
  const waiting: number[] = [];
  const idle: Connection[] = [];

  const send = (c: Connection, due: number): void => {
    c.due = due;
    c.socket.write(request);
  };
  const answered = (c: Connection, ok: boolean): void => {
    if (ok && c.due !== null && completed < latencies.length) latencies[completed++] = performance.now() - c.due;
    if (!ok) errors++;
    c.due = null;
    const next = waiting.shift();
    if (next !== undefined) send(c, next);
    else idle.push(c);
  };
  // A client's connection: an answer that says `Connection: close` ends it, and the client goes
  // on over a new one, as browsers and HTTP libraries do (a pool of workers lets surplus ones go).
  const attach = (c: Connection, socket: Socket): void => {
    c.socket = socket;
    c.buffered = Buffer.alloc(0);
    // A failed reconnection leaves its request unanswered: counted as failed at the end.
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      c.buffered = c.buffered.length === 0 ? chunk : Buffer.concat([c.buffered, chunk]);
      const end = c.buffered.indexOf(HEAD_END);
      if (end < 0) return;
      const head = c.buffered.toString('latin1', 0, end);
      const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
      if (c.buffered.length < end + 4 + length) return;
      c.buffered = c.buffered.subarray(end + 4 + length);
      if (/\r\nconnection:\s*close/i.test(head)) {
        socket.destroy();
        attach(c, connect({ host: '127.0.0.1', port, noDelay: true }));
      }
      answered(c, head.startsWith('HTTP/1.1 2'));
    });
  };
  const open = (): Promise<Connection> =>
    new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, noDelay: true });
      const c: Connection = { socket, due: null, buffered: Buffer.alloc(0) };
      socket.once('connect', () => resolve(c));
      socket.once('error', reject);
      attach(c, socket);
    });
  const all = await Promise.all(Array.from({ length: connections }, open));
  idle.push(...all);

  const started = performance.now();
  const total = Math.floor(rate * seconds);
  let issued = 0;
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const now = performance.now();
      const dueNow = Math.min(total, Math.floor(((now - started) * rate) / 1000));
      for (; issued < dueNow; issued++) {
        const due = started + (issued * 1000) / rate;
        const c = idle.pop();
        if (c) send(c, due);
        else waiting.push(due);
      }
      if (issued >= total && waiting.length === 0 && idle.length === all.length) {
        clearInterval(tick);
        resolve();
      }
      // Whatever is still unanswered 5 s after the last was due is given up on.
      if (now - started > seconds * 1000 + 5000) {
        errors += total - completed;
        clearInterval(tick);
        resolve();
      }
    }, 1);
  });
  for (const c of all) c.socket.destroy();
  const sorted = latencies.subarray(0, completed).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { rate, completed, errors, p50: at(0.5), p99: at(0.99), max: at(1) };
}
