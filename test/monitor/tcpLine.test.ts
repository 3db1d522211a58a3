import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PacketLine } from '../../src/monitor/evidence/packetRecord.js';
import { LineBuffer } from '../../src/monitor/log/lineBuffer.js';
import { writeTcpLine } from '../../src/monitor/log/tcpLine.js';
import { ANALYSIS } from '../../src/monitor/tcp/sequenceAnalysis.js';

/** A pure ACK with time stamps, as the live log's record of it reads. */
const ACK: PacketLine = {
  frame: 1234,
  rel_ns: 2_148_000_000.5 - 0.5,
  is_orig: true,
  len: 66,
  flags: 0x10,
  seq: 84,
  ack: 666,
  win: 64128,
  tcp_len: 0,
  urg: 0,
  options: new Uint8Array([1, 1, 8, 10, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff]),
  sack_base: 0,
  analysis: 0,
  dup_ack: 0,
  dup_ack_frame: 0,
  reader: 'http',
  reading: null,
  to_server: true,
  events: [],
  src_h: '10.20.0.1',
  src_p: 1024,
  dst_h: '10.30.0.80',
  dst_p: 80,
  precision: 6,
};

function line(r: PacketLine): string {
  const out = new LineBuffer();
  writeTcpLine(out, r, new LineBuffer());
  return out.textFrom(0);
}

describe('a TCP segment’s packet-log line', () => {
  it('writes the commonest line (no note, nothing read) whole: head, TCP, length, ports, numbers, options', () => {
    assert.equal(
      line(ACK),
      ' 1234   2.148000    10.20.0.1 → 10.30.0.80   TCP 66 1024 → 80 [ACK] Seq=84 Ack=666 Win=64128 Len=0 TSval=1 TSecr=4294967295',
    );
    assert.equal(
      line({
        ...ACK,
        frame: 123456,
        flags: 0x70,
        urg: 7,
        options: new Uint8Array(0),
        src_h: '10.30.0.80',
        dst_h: '10.20.0.1',
      }),
      '123456   2.148000   10.30.0.80 → 10.20.0.1    TCP 66 1024 → 80 [ACK, URG, ECE] Seq=84 Ack=666 Win=64128 Urg=7 Len=0',
    );
  });

  it('shows a window scale as its factor, 2^shift, at most 2^14', () => {
    const syn = (shift: number) =>
      line({ ...ACK, flags: 0x02, options: new Uint8Array([2, 4, 5, 0xb4, 4, 2, 1, 3, 3, shift]) });
    assert.match(syn(0), /\[SYN\] Seq=84 Win=64128 Len=0 MSS=1460 SACK_PERM WS=1$/);
    assert.match(syn(7), / WS=128$/);
    assert.match(syn(14), / WS=16384$/);
    assert.match(syn(200), / WS=16384$/);
  });

  it('reads as the same line with a note in front where the analysis has one', () => {
    const noted = line({ ...ACK, analysis: ANALYSIS.WINDOW_UPDATE });
    assert.equal(noted, line(ACK).replace('TCP 66 ', 'TCP 66 [TCP Window Update] '));
  });
});
