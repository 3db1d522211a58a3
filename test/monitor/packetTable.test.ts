import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { packetsJson, readPackets } from '../../src/monitor/evidence/packetJson.js';
import type { PacketRecord } from '../../src/monitor/evidence/packetRecord.js';
import { PacketTable } from '../../src/monitor/evidence/packetTable.js';
import { ANALYSIS } from '../../src/monitor/tcp/sequenceAnalysis.js';

/** Every field at the edge of what it can hold, so a packing that loses a bit shows. */
const EDGES: PacketRecord = {
  frame: 2 ** 32 + 5,
  rel_ns: 86_400 * 1e9 + 123,
  is_orig: false,
  len: 262_144,
  flags: 0x1ff,
  seq: 2 ** 32 - 1,
  ack: 2 ** 32 - 2,
  win: 65_535 * 2 ** 14,
  tcp_len: 65_495,
  urg: 65_535,
  options: Uint8Array.from({ length: 40 }, (_, i) => 255 - i),
  sack_base: 2 ** 32 - 1,
  analysis: Object.values(ANALYSIS).reduce((a, b) => a | b, 0),
  dup_ack: 1_000_000,
  dup_ack_frame: 2 ** 32 + 4,
  reader: 'other',
  reading: { kind: 'part', begins: true, pending: 'GET / HTTP/1.1', afterLost: true },
  to_server: true,
  events: [
    { kind: 'smtp_reply', code: 550, lines: new Uint8Array([0x35, 0x35, 0x30, 0xff, 0x00]) },
    {
      kind: 'http_reply',
      statusCode: Number.NaN,
      firstLine: 'HTTP/1.1 abc',
      body: { length: 3, kept: Buffer.from('abc'), contentType: null, contentEncoding: null, boundary: null },
    },
  ],
};

const PLAIN: PacketRecord = {
  ...EDGES,
  frame: 1,
  is_orig: true,
  options: new Uint8Array(0),
  urg: 0,
  sack_base: 0,
  analysis: 0,
  dup_ack: 0,
  dup_ack_frame: 0,
  reader: 'none',
  reading: null,
  to_server: false,
  events: [],
};

describe('packet records', () => {
  test('a connection’s table gives back every field as it was kept, at the edges of each', () => {
    const table = new PacketTable();
    // The live record's options are a view into a longer buffer: only the view is kept.
    const view = new Uint8Array([9, 9, ...EDGES.options, 9]).subarray(2, 42);
    table.add({ ...EDGES, options: view }, false);
    table.add({ ...PLAIN, options: Uint8Array.of(1, 1, 8) }, true);
    table.add(PLAIN, true);
    const [edges, short, plain] = table.records();
    assert.deepEqual({ ...edges, options: [...(edges?.options ?? [])] }, { ...EDGES, options: [...EDGES.options] });
    assert.deepEqual([...(short?.options ?? [])], [1, 1, 8]);
    assert.deepEqual({ ...plain, options: [...(plain?.options ?? [])] }, { ...PLAIN, options: [] });
  });

  test('the stored JSON reads back to the same records; what is no such list reads as none', () => {
    const back = readPackets(packetsJson([EDGES, PLAIN]));
    assert.ok(back);
    // Bytes as lists, a Buffer's too (`this[k]` is the value before a Buffer's own toJSON).
    const bytes = (r: PacketRecord | undefined) =>
      JSON.stringify(r, function (this: Record<string, unknown>, k, v) {
        const raw = this[k];
        return raw instanceof Uint8Array ? [...raw] : v;
      });
    assert.equal(bytes(back[0]), bytes(EDGES));
    assert.ok(Number.isNaN((back[0]?.events[1] as { statusCode: number } | undefined)?.statusCode));
    assert.equal(bytes(back[1]), bytes(PLAIN));
    for (const bad of [
      '',
      '{}',
      '[1]',
      '[{"frame":1}]',
      '[{"frame":1,"rel_ns":0,"len":1,"flags":2,"seq":0,"ack":0,"win":1,"tcp_len":0,"options":"zz"}]',
    ])
      assert.equal(readPackets(bad), null, bad);
  });
});
