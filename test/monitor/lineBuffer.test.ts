import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { writeHead } from '../../src/monitor/log/columns.js';
import { LineBuffer, putDecimal, putNumber } from '../../src/monitor/log/lineBuffer.js';
import { writeRelativeTime } from '../../src/monitor/log/relativeTime.js';

/** What a buffer writes, as text: every handed-over chunk and what is left. */
function written(write: (out: LineBuffer) => void): string {
  const chunks: Buffer[] = [];
  const out = new LineBuffer((chunk) => chunks.push(Buffer.from(chunk)));
  write(out);
  out.flush();
  return Buffer.concat(chunks).toString('utf8');
}

describe('the packet log’s byte buffer', () => {
  it('writes numbers as String() does', () => {
    const numbers = [0, 7, 9, 10, 99, 100, 65535, 4294967295, 2 ** 53 - 1, -1, -3600, 1e21, 0.5];
    for (const n of numbers)
      assert.equal(
        written((out) => out.number(n)),
        String(n),
        String(n),
      );
  });

  it('puts any number into a reserved span as String() writes it', () => {
    const numbers = [0, 9, 10, 2147483647, 2147483648, 4294967295, 2 ** 53 - 1, 2 ** 53, -1, -0.5, 1e21, Number.NaN];
    for (const n of numbers) {
      const out = new LineBuffer();
      out.advance(putNumber(out.reserve(32), out.length, n));
      assert.equal(out.textFrom(0), String(n), String(n));
    }
  });

  it('writes every digit count, and numbers above 2^31 whose low eight digits start with zeros', () => {
    const numbers: number[] = [];
    for (let p = 1; p <= 1e15; p *= 10) numbers.push(p - 1, p, p + 1, p + 7);
    // Split at 10^8: the low part keeps its leading zeros, the high part has none.
    numbers.push(4200000001, 4294967295, 2147483648, 100000000000, 12300000045, 2 ** 53 - 1, 2 ** 53 - 100000000);
    const out = new LineBuffer();
    for (const n of numbers) {
      out.clear();
      out.advance(putDecimal(out.reserve(32), out.length, n));
      assert.equal(out.textFrom(0), String(n), String(n));
    }
  });

  it('fills a handed-over buffer again only once it is released, every byte in order', () => {
    const written: string[] = [];
    const seen = new Set<ArrayBuffer>();
    let release: (() => void) | null = null;
    const out = new LineBuffer((chunk, done) => {
      seen.add(chunk.buffer as ArrayBuffer);
      // A chunk is read only when the next one arrives: a buffer filled again too soon would show here.
      written.push(chunk.toString('latin1'));
      release?.();
      release = done;
    });
    const line = 'z'.repeat(999);
    for (let i = 0; i < 3000; i++) {
      out.number(i % 10);
      out.text(line);
      out.newline();
    }
    out.flush();
    const lines = written.join('').split('\n');
    assert.equal(lines.length, 3001);
    assert.ok(lines.slice(0, -1).every((l, i) => l === `${i % 10}${line}`));
    assert.ok(seen.size < written.length, `${seen.size} buffers for ${written.length} chunks`);
  });

  it('writes a line head with addresses beyond ASCII (a named MAC) as text', () => {
    const head = (source: string, destination: string) => {
      const out = new LineBuffer();
      writeHead(out, 12, 1_500_000, 6, source, destination, 'ARP', 42);
      return out.textFrom(0);
    };
    assert.equal(head('10.0.0.1', '10.0.0.2'), '   12   0.001500     10.0.0.1 → 10.0.0.2     ARP 42 ');
    assert.equal(head('Café_00:11:22', 'Broadcast'), '   12   0.001500 Café_00:11:22 → Broadcast    ARP 42 ');
    assert.equal(head('Broadcast', 'Café_00:11:22'), '   12   0.001500    Broadcast → Café_00:11:22 ARP 42 ');
  });

  it('pads fractions with zeros and columns with blanks', () => {
    assert.equal(
      written((out) => out.zeroPadded(42, 6)),
      '000042',
    );
    assert.equal(
      written((out) => out.zeroPadded(999999, 6)),
      '999999',
    );
    // Either side of 2^31, where the digits are worked out another way.
    for (const n of [0, 7, 2147483647, 2147483648, 4294967296 + 5, 999999999999])
      assert.equal(
        written((out) => out.zeroPadded(n, 12)),
        String(n).padStart(12, '0'),
        String(n),
      );
    assert.equal(
      written((out) => out.blanks(3)),
      '   ',
    );
    assert.equal(
      written((out) => out.blanks(-2)),
      '',
    );
  });

  it('writes text as UTF-8, ASCII or not, and reads a line back', () => {
    const text = 'Standard query 0x1234 A www.exämple.com → 😀 end';
    assert.equal(
      written((out) => out.text(text)),
      text,
    );
    const out = new LineBuffer();
    out.text('first');
    out.newline();
    const start = out.length;
    out.text('10.0.0.1');
    out.text(' → ');
    out.text('10.0.0.2 Ω');
    assert.equal(out.textFrom(start), '10.0.0.1 → 10.0.0.2 Ω');
  });

  it('hands over full batches with every byte in order, and grows for a line longer than a batch', () => {
    const line = 'x'.repeat(1000);
    const long = 'y'.repeat(LineBuffer.BATCH * 3);
    const chunks: Buffer[] = [];
    const out = new LineBuffer((chunk) => chunks.push(Buffer.from(chunk)));
    for (let i = 0; i < 1000; i++) {
      out.number(i);
      out.text(line);
      out.newline();
    }
    out.text(long);
    out.newline();
    out.flush();
    assert.ok(chunks.length >= 3, `${chunks.length} chunks`);
    for (const c of chunks.slice(0, -1)) assert.ok(c.length >= LineBuffer.BATCH);
    const lines = Buffer.concat(chunks).toString('utf8').split('\n');
    assert.equal(lines.length, 1002);
    assert.equal(lines[999], `999${line}`);
    assert.equal(lines[1000], long);
  });

  it('writes the relative time column as tshark does, right-aligned', () => {
    const time = (ns: number, precision: number) => written((out) => writeRelativeTime(out, ns, precision, 10));
    assert.equal(time(0, 6), '  0.000000');
    assert.equal(time(1_234_567_891, 6), '  1.234567');
    assert.equal(time(1_234_567_891, 9), '1.234567891');
    assert.equal(time(-2_500_000_000, 6), ' -2.500000');
    assert.equal(time(86_400_000_000_000, 6), '86400.000000');
    assert.equal(time(5_000_000_000, 0), '         5');
  });
});
