import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BufferPool, type ByteSource, lineBatches } from '../../src/logs/lineBatches.js';
import { LineSplitter } from '../../src/logs/lineSplitter.js';

/** A source that hands out `data` in reads of the given sizes (in turn), as a pipe or a short read would. */
function chunkedSource(data: Uint8Array, sizes: readonly number[]): ByteSource & { closed: boolean } {
  let at = 0;
  let turn = 0;
  return {
    closed: false,
    async read(into) {
      const want = sizes.length > 0 ? (sizes[turn++ % sizes.length] as number) : into.length;
      const n = Math.min(into.length, want, data.length - at);
      into.set(data.subarray(at, at + n));
      at += n;
      return n;
    },
    async close() {
      this.closed = true;
    },
  };
}

/** The lines a worker reads out of each batch (./batch.ts): split at newlines, the final newline ending the last. */
function linesOf(batch: Uint8Array): string[] {
  const text = Buffer.from(batch.buffer, batch.byteOffset, batch.byteLength).toString('latin1');
  const lines = text.split('\n');
  if (text.endsWith('\n')) lines.pop();
  return lines;
}

async function collect(source: ByteSource, pool: BufferPool, maxBytes: number): Promise<Uint8Array[]> {
  const batches: Uint8Array[] = [];
  // Copied, and each buffer given back at once as a worker's reply would: a batch whose bytes
  // were overwritten by a later fill would show up as wrong lines.
  for await (const batch of lineBatches(source, pool, maxBytes)) {
    batches.push(batch.slice());
    pool.give(batch.buffer as ArrayBuffer);
  }
  return batches;
}

describe('lineBatches', () => {
  it('yields the lines LineSplitter would, whatever the read sizes and however long the lines', async () => {
    const byte = fc.oneof(
      fc.constant(10),
      fc.constant(10),
      fc.integer({ min: 32, max: 126 }),
      fc.integer({ min: 0, max: 255 }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc
          .uint8Array({ maxLength: 400 })
          .chain((noise) => fc.tuple(fc.constant(noise), fc.array(byte, { maxLength: 400 }))),
        fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 6 }),
        fc.integer({ min: 1, max: 16 }),
        async ([noise, bytes], sizes, size) => {
          const data = Uint8Array.from([...bytes, ...noise.filter((b) => b % 7 !== 0)]);
          const maxBytes = 4 * size;
          const batches = await collect(chunkedSource(data, sizes), new BufferPool(size, 4), maxBytes);
          const splitter = new LineSplitter(maxBytes);
          const expected = [...splitter.push(Buffer.from(data)), ...splitter.flush()];
          assert.deepEqual(batches.flatMap(linesOf), expected);
          for (const b of batches.slice(0, -1))
            assert.ok(
              b.length === maxBytes || b[b.length - 1] === 10,
              'a batch ends at a newline unless a line was cut',
            );
        },
      ),
      { numRuns: 500 },
    );
  });

  it('fills batches to the buffer size and reuses the buffers handed back', async () => {
    const line = `${'x'.repeat(99)}\n`;
    const data = Buffer.from(line.repeat(1000));
    const pool = new BufferPool(1024, 4);
    const taken = new Set<ArrayBuffer>();
    const take = pool.take.bind(pool);
    pool.take = (min?: number) => {
      const b = take(min);
      taken.add(b.buffer as ArrayBuffer);
      return b;
    };
    const batches = await collect(chunkedSource(data, []), pool, 4096);
    // 10 whole lines fit in 1024 bytes: every batch but the last holds exactly 10.
    assert.equal(batches.length, 100);
    assert.ok(batches.every((b) => b.length === 1000));
    assert.ok(taken.size <= 2, `${taken.size} buffers allocated for 100 batches`);
  });

  it('hands on the first maxBytes of an endless line and drops the rest of it', async () => {
    const data = Buffer.from(`short\n${'a'.repeat(50)}${'b'.repeat(30)}\nafter\n`);
    const batches = await collect(chunkedSource(data, [7]), new BufferPool(8, 4), 32);
    assert.deepEqual(batches.flatMap(linesOf), ['short', 'a'.repeat(32), 'after']);
  });

  it('a file without a final newline ends with its last line; an empty one yields nothing', async () => {
    assert.deepEqual(
      (await collect(chunkedSource(Buffer.from('one\ntwo'), []), new BufferPool(64, 2), 256)).flatMap(linesOf),
      ['one', 'two'],
    );
    assert.deepEqual(await collect(chunkedSource(new Uint8Array(0), []), new BufferPool(64, 2), 256), []);
  });
});
