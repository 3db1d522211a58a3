import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

/** A log to read: a path or `-` for standard input, with its size when known (for the ETA). */
export interface LogInput {
  readonly label: string;
  readonly size: number | null;
  readonly chunks: AsyncIterable<Buffer>;
}

const CHUNK = 1 << 20;

/**
 * Open a log for reading. Gzip is recognised by its magic bytes, not the file name, so
 * `access.log.2.gz`, a renamed archive and `zcat`-less stdin all work; multi-member gzip (what
 * logrotate's `delaycompress` plus concatenation produces) decodes as one stream.
 * `onRawBytes` counts bytes as read from disk, which is what the progress bar measures.
 */
export async function openLogInput(path: string, onRawBytes: (n: number) => void = () => {}): Promise<LogInput> {
  if (path === '-') return { label: 'stdin', size: null, chunks: decoded(process.stdin, onRawBytes) };
  const info = await stat(path);
  const stream = createReadStream(path, { highWaterMark: CHUNK });
  return { label: path, size: info.size, chunks: decoded(stream, onRawBytes) };
}

async function* decoded(source: Readable, onRawBytes: (n: number) => void): AsyncGenerator<Buffer> {
  const it = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first = await it.next();
  if (first.done) return;
  const head = first.value;
  onRawBytes(head.length);
  if (!(head[0] === 0x1f && head[1] === 0x8b)) {
    yield head;
    for (let r = await it.next(); !r.done; r = await it.next()) {
      onRawBytes(r.value.length);
      yield r.value;
    }
    return;
  }
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  const feed = (async () => {
    try {
      if (!gunzip.write(head)) await once(gunzip, 'drain');
      for (let r = await it.next(); !r.done; r = await it.next()) {
        onRawBytes(r.value.length);
        if (!gunzip.write(r.value)) await once(gunzip, 'drain');
      }
      gunzip.end();
    } catch (err) {
      gunzip.destroy(err as Error);
    }
  })();
  try {
    for await (const chunk of gunzip) yield chunk as Buffer;
  } finally {
    source.destroy();
    await feed;
  }
}
