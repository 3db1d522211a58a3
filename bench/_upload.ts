/** bench/gateway.ts, one large upload: streamed through the gateway, its memory stays flat. */
import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import { rssMiB } from './_processCpu.js';

/**
 * Stream `size` bytes through the gateway as one POST (generated on the fly) and sample the
 * gateway's resident memory meanwhile: a streamed body keeps it flat, a buffered one grows by `size`.
 */
export async function uploadThrough(
  port: number,
  pid: number | undefined,
  size: number,
): Promise<{ seconds: number; before: number | null; peak: number | null }> {
  const before = rssMiB(pid);
  let peak = before;
  const sampler = setInterval(() => {
    const now = rssMiB(pid);
    if (now !== null && (peak === null || now > peak)) peak = now;
  }, 20);
  const chunk = Buffer.alloc(256 * 1024, 0x61);
  let sent = 0;
  const body = new Readable({
    read() {
      if (sent >= size) return void this.push(null);
      sent += chunk.length;
      this.push(chunk);
    },
  });
  const started = process.hrtime.bigint();
  await new Promise<void>((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method: 'POST', path: '/upload', headers: { 'content-length': size } },
      (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`upload: ${res.statusCode}`))));
      },
    );
    req.on('error', reject);
    body.pipe(req);
  });
  clearInterval(sampler);
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, before, peak };
}
