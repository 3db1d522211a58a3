import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { ByteSource } from './lineBatches.js';

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

/** A log as a `ByteSource` (for `lineBatches`): a plain file is read in place, anything else through `openLogInput`. */
export async function openLogSource(
  path: string,
  onRawBytes: (n: number) => void = () => {},
): Promise<{ readonly label: string; readonly size: number | null; readonly source: ByteSource }> {
  // Only a regular file is read in place: a pipe (`<(zcat …)`, a FIFO) cannot be read at an offset.
  const info = path === '-' ? null : await stat(path);
  if (info?.isFile()) {
    const file = await open(path, 'r');
    let gzip: boolean;
    try {
      const magic = new Uint8Array(2);
      const { bytesRead } = await file.read(magic, 0, 2, 0);
      gzip = isGzip(magic.subarray(0, bytesRead));
    } catch (err) {
      await file.close();
      throw err;
    }
    if (!gzip) {
      const source: ByteSource = {
        async read(into) {
          const { bytesRead: n } = await file.read(into, 0, into.length, null);
          onRawBytes(n);
          return n;
        },
        close: () => file.close(),
      };
      return { label: path, size: info.size, source };
    }
    await file.close();
  }
  const input = await openLogInput(path, onRawBytes);
  return { label: input.label, size: input.size, source: chunkSource(input.chunks) };
}

/** Chunks copied out to fill each buffer asked for (short only at the end), so batches stay full size. */
function chunkSource(chunks: AsyncIterable<Buffer>): ByteSource {
  const it = chunks[Symbol.asyncIterator]();
  let chunk: Buffer = Buffer.alloc(0);
  let at = 0;
  let ended = false;
  return {
    async read(into) {
      let n = 0;
      while (n < into.length && !ended) {
        if (at === chunk.length) {
          const r = await it.next();
          if (r.done) ended = true;
          else [chunk, at] = [r.value, 0];
          continue;
        }
        const take = Math.min(into.length - n, chunk.length - at);
        into.set(chunk.subarray(at, at + take), n);
        at += take;
        n += take;
      }
      return n;
    },
    async close() {
      await it.return?.();
    },
  };
}

/** Gzip's magic bytes, 1f 8b, start the data. */
function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

async function* decoded(source: Readable, onRawBytes: (n: number) => void): AsyncGenerator<Buffer> {
  const it = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first = await it.next();
  if (first.done) return;
  const head = first.value;
  onRawBytes(head.length);
  if (!isGzip(head)) {
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
