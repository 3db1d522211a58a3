import type { FileHandle } from 'node:fs/promises';
import { open, stat } from 'node:fs/promises';

/** What following a file yields: new bytes, or notice that the file was replaced or truncated. */
export type FollowItem = { kind: 'data'; chunk: Buffer } | { kind: 'rotated'; how: 'renamed' | 'truncated' };

export interface FollowOptions {
  /** How often to look for new data and rotation when the file is idle. */
  readonly pollMs?: number;
  /** Start at the beginning (analyze everything, then follow) rather than at the end. */
  readonly fromStart?: boolean;
  readonly signal?: AbortSignal;
}

const CHUNK = 1 << 20;

/**
 * Follow a log like `tail -F`: read what is appended; when the path is renamed away and a new
 * file created (logrotate's default), finish the old file and continue with the new one from
 * its start; when the file shrinks under us (`copytruncate`), start again from its beginning;
 * when the path is briefly missing, wait for it to come back. Ends when `signal` aborts.
 */
export async function* followFile(path: string, options: FollowOptions = {}): AsyncGenerator<FollowItem> {
  const pollMs = options.pollMs ?? 250;
  const signal = options.signal;
  let handle: FileHandle | null = null;
  let ino = -1;
  let pos = 0;
  const buffer = Buffer.allocUnsafe(CHUNK);
  /**
   * The file's first bytes as we read them. A copytruncate followed quickly by new writes can
   * leave the file as long as before, so size alone cannot tell; changed first bytes can.
   */
  let head: Buffer = Buffer.alloc(0);

  const openCurrent = async (atEnd: boolean): Promise<boolean> => {
    try {
      const h = await open(path, 'r');
      const info = await h.stat();
      handle = h;
      ino = info.ino;
      pos = atEnd ? info.size : 0;
      head = await readHead(h);
      return true;
    } catch {
      return false;
    }
  };

  async function* drain(): AsyncGenerator<FollowItem> {
    if (!handle) return;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, pos);
      if (bytesRead === 0) return;
      if (pos < HEAD) head = await readHead(handle);
      pos += bytesRead;
      yield { kind: 'data', chunk: Buffer.from(buffer.subarray(0, bytesRead)) };
    }
  }

  await openCurrent(!options.fromStart);
  try {
    while (!signal?.aborted) {
      yield* drain();
      const current = await stat(path).catch(() => null);
      if (handle && current && current.ino !== ino) {
        // Renamed away and replaced: whatever the writer added to the old file before it let go.
        yield* drain();
        await (handle as FileHandle).close();
        handle = null;
        yield { kind: 'rotated', how: 'renamed' };
        if (await openCurrent(false)) continue;
      } else if (handle && current && (current.size < pos || !(await sameHead(handle, head)))) {
        pos = 0;
        head = Buffer.alloc(0);
        yield { kind: 'rotated', how: 'truncated' };
        continue;
      } else if (!handle && current) {
        if (await openCurrent(false)) continue;
      }
      await idle(pollMs, signal);
    }
  } finally {
    if (handle) await (handle as FileHandle).close();
  }
}

const HEAD = 64;

async function readHead(handle: FileHandle): Promise<Buffer> {
  const b = Buffer.alloc(HEAD);
  const { bytesRead } = await handle.read(b, 0, HEAD, 0);
  return b.subarray(0, bytesRead);
}

async function sameHead(handle: FileHandle, head: Buffer): Promise<boolean> {
  if (head.length === 0) return true;
  const now = await readHead(handle);
  return now.length >= head.length && now.subarray(0, head.length).equals(head);
}

function idle(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
