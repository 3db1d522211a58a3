import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { TcpSegment } from '../../src/monitor/tcp/tcpSegment.js';

const SEGMENT = fileURLToPath(new URL('../../src/monitor/tcp/tcpSegment.ts', import.meta.url));

describe('TcpSegment', () => {
  test('a fresh segment reads its sequence numbers as 0 (compared, in text, in JSON)', () => {
    const seg = new TcpSegment();
    for (const n of [seg.relSeq, seg.relAck, seg.reverseBase]) {
      assert.ok(n === 0);
      assert.equal(`${n}`, '0');
      assert.equal(JSON.stringify(n), '0');
      assert.equal(n >>> 0, 0);
    }
  });

  test('a base sequence number above 2^30 does not change its shape (no deopt when the first one is analysed mid-capture)', () => {
    // V8's own test of two objects' hidden classes, in a process of its own that allows it.
    const script = `
      const { TcpSegment } = await import(${JSON.stringify(SEGMENT)});
      const fresh = new TcpSegment();
      const analysed = new TcpSegment();
      analysed.relSeq = 1;
      analysed.relAck = 1;
      analysed.reverseBase = 0xfffffff0;
      console.log(%HaveSameMap(fresh, analysed));`;
    const out = execFileSync(
      process.execPath,
      ['--allow-natives-syntax', '--import', 'tsx', '--input-type=module', '-e', script],
      { encoding: 'utf8' },
    );
    assert.equal(out.trim(), 'true');
  });
});
