/**
 * A log's bytes cut into batches of whole lines for the analysis workers (./parallel.ts), in
 * buffers that come back and are filled again. Reading a 180 MB log through fresh buffers
 * touches 180 MB of new pages twice (the read stream's chunk, then the batch copy): on a
 * virtual machine that is a page fault per 4 KB and a quarter of a second of the main thread.
 * Here a file is read straight into a batch buffer, and a worker hands each buffer back.
 */

/** Where bytes come from: a file read in place, or a stream copied out of its chunks. */
export interface ByteSource {
  /** Fill the start of `into`; 0 at the end. */
  read(into: Uint8Array): Promise<number>;
  close(): Promise<void>;
}

/** Buffers of one size, kept for reuse once a worker has handed them back. */
export class BufferPool {
  readonly #free: ArrayBuffer[] = [];

  constructor(
    readonly size: number,
    private readonly keep: number,
  ) {}

  /** A buffer of at least `min` bytes (`size` unless a longer line needs more). */
  take(min = this.size): Uint8Array {
    if (min > this.size) return new Uint8Array(min);
    const buffer = this.#free.pop();
    return buffer ? new Uint8Array(buffer) : new Uint8Array(this.size);
  }

  /** Take back a buffer no longer in use; one of another size, or beyond `keep`, is let go. */
  give(buffer: ArrayBuffer): void {
    if (buffer.byteLength === this.size && this.#free.length < this.keep) this.#free.push(buffer);
  }
}

const NL = 10;

/**
 * Batches of whole lines from `source`, each a view from the start of a pooled buffer (so the
 * buffer itself can be transferred and given back). A batch ends at its last newline; the
 * partial line after it starts the next buffer. A line that fills `maxBytes` with no newline is
 * handed on as it is and the rest of it, up to the next newline, is dropped, as `LineSplitter`
 * does: one endless "line" must not grow memory without bound.
 */
export async function* lineBatches(
  source: ByteSource,
  pool: BufferPool,
  maxBytes: number,
): AsyncGenerator<Uint8Array, void, void> {
  let buf = pool.take();
  let filled = 0;
  let skipping = false;
  for (;;) {
    if (filled === buf.length) {
      if (buf.length >= maxBytes) {
        yield buf;
        buf = pool.take();
        filled = 0;
        skipping = true;
        continue;
      }
      const larger = new Uint8Array(Math.min(maxBytes, buf.length * 2));
      larger.set(buf);
      pool.give(buf.buffer as ArrayBuffer);
      buf = larger;
    }
    const n = await source.read(buf.subarray(filled));
    if (n === 0) break;
    if (skipping) {
      // Only here with an empty buffer: what was read is the dropped line's tail, and after it.
      const nl = buf.subarray(0, n).indexOf(NL);
      if (nl < 0) continue;
      buf.copyWithin(0, nl + 1, n);
      filled = n - (nl + 1);
      skipping = false;
    } else filled += n;
    const cut = filled === 0 ? -1 : buf.lastIndexOf(NL, filled - 1);
    if (cut < 0) continue;
    const full = buf;
    buf = pool.take(filled - (cut + 1));
    buf.set(full.subarray(cut + 1, filled));
    filled -= cut + 1;
    yield full.subarray(0, cut + 1);
  }
  if (filled > 0) yield buf.subarray(0, filled);
  else pool.give(buf.buffer as ArrayBuffer);
}
