import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readPackets } from '../../src/monitor/evidence/packetJson.js';
import type { PacketRecord } from '../../src/monitor/evidence/packetRecord.js';
import { PacketTable } from '../../src/monitor/evidence/packetTable.js';
import type { ProtocolEvent } from '../../src/monitor/protocols/events.js';
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

/** A record's bytes as lists, a Buffer's too (`this[k]` is the value before a Buffer's own toJSON). */
const bytes = (r: PacketRecord | undefined) =>
  JSON.stringify(r, function (this: Record<string, unknown>, k, v) {
    const raw = this[k];
    return raw instanceof Uint8Array ? [...raw] : v;
  });

/** The stored text of EDGES then PLAIN, as bansho has stored it: rows already stored read back only if it stays so. */
const STORED =
  '[{"frame":4294967301,"rel_ns":86400000000123,"is_orig":false,"len":262144,"flags":511,"seq":4294967295,' +
  '"ack":4294967294,"win":1073725440,"tcp_len":65495,"urg":65535,' +
  '"options":"fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0efeeedecebeae9e8e7e6e5e4e3e2e1e0dfdedddcdbdad9d8","sack_base":4294967295,' +
  '"analysis":["retransmission","lost_packet","ack_lost_packet","keep_alive","duplicate_ack","zero_window",' +
  '"zero_window_probe","zero_window_probe_ack","keep_alive_ack","out_of_order","fast_retransmission",' +
  '"window_update","window_full","reused_ports","spurious_retransmission"],"dup_ack":1000000,' +
  '"dup_ack_frame":4294967300,"reader":"other","reading":{"kind":"part","begins":true,"pending":"GET / HTTP/1.1",' +
  '"afterLost":true},"to_server":true,"events":[{"kind":"smtp_reply","code":550,"lines":{"base64":"NTUw/wA="}},' +
  '{"kind":"http_reply","statusCode":{"number":"NaN"},"firstLine":"HTTP/1.1 abc","body":{"length":3,' +
  '"kept":{"base64":"YWJj"},"contentType":null,"contentEncoding":null,"boundary":null}}]},' +
  '{"frame":1,"rel_ns":86400000000123,"is_orig":true,"len":262144,"flags":511,"seq":4294967295,' +
  '"ack":4294967294,"win":1073725440,"tcp_len":65495}]';

/** How the events were stored before they were written straight from the values: a copy made JSON-safe, then stringified. */
function storedBefore(v: unknown): unknown {
  if (v instanceof Uint8Array) return { base64: Buffer.from(v.buffer, v.byteOffset, v.length).toString('base64') };
  if (typeof v === 'number') return Number.isFinite(v) ? v : { number: String(v) };
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(storedBefore);
  const out: Record<string, unknown> = {};
  for (const k in v) out[k] = storedBefore((v as Record<string, unknown>)[k]);
  return out;
}

describe('packet records', () => {
  test('a connection’s table gives back every field as it was kept, at the edges of each', () => {
    const table = new PacketTable();
    // The live record's options are a view into a longer buffer: only the view is kept.
    const view = new Uint8Array([9, 9, ...EDGES.options, 9]).subarray(2, 42);
    table.add({ ...EDGES, options: view }, false);
    table.add({ ...PLAIN, options: Uint8Array.of(1, 1, 8) }, true);
    table.add({ ...PLAIN, options: Uint8Array.of(1, 2, 3, 4, 5, 6, 7) }, true);
    table.add(PLAIN, true);
    const [edges, short, seven, plain] = readPackets(table.json()) ?? [];
    assert.equal(bytes(edges), bytes(EDGES));
    assert.ok(Number.isNaN((edges?.events[1] as { statusCode: number } | undefined)?.statusCode));
    assert.deepEqual([...(short?.options ?? [])], [1, 1, 8]);
    assert.deepEqual([...(seven?.options ?? [])], [1, 2, 3, 4, 5, 6, 7]);
    assert.equal(bytes(plain), bytes(PLAIN));
  });

  test('a table past the room it starts with keeps every row, each its own', () => {
    const table = new PacketTable();
    const kept: PacketRecord[] = [];
    // Through two doublings of the numbers' array (rows 9 and 17): a copy that lost or mixed a row shows.
    for (let i = 0; i < 40; i++) {
      const r: PacketRecord = {
        ...PLAIN,
        frame: i + 1,
        rel_ns: i * 1_000_003,
        seq: (i * 7919) % 2 ** 32,
        ack: i * 3,
        win: 1000 + i,
        tcp_len: i,
        is_orig: i % 3 === 0,
        options: Uint8Array.from({ length: i % 13 }, (_, k) => (i * 31 + k) & 0xff),
        analysis: i % 5 === 0 ? ANALYSIS.RETRANSMISSION : 0,
      };
      table.add(r, r.is_orig);
      kept.push(r);
    }
    assert.equal(table.length, 40);
    const back = readPackets(table.json()) ?? [];
    assert.equal(back.length, 40);
    for (let i = 0; i < 40; i++) assert.equal(bytes(back[i]), bytes(kept[i]), `row ${i}`);
  });

  test('the stored JSON is the text bansho has always stored; what is no such list reads as none', () => {
    const table = new PacketTable();
    table.add(EDGES, false);
    table.add(PLAIN, true);
    assert.equal(table.json(), STORED);
    for (const bad of [
      '',
      '{}',
      '[1]',
      '[{"frame":1}]',
      '[{"frame":1,"rel_ns":0,"len":1,"flags":2,"seq":0,"ack":0,"win":1,"tcp_len":0,"options":"zz"}]',
    ])
      assert.equal(readPackets(bad), null, bad);
  });

  test('events are stored as a JSON-safe copy of them would be stringified, whatever they hold', () => {
    const events = [
      { kind: 'smtp_request', lines: Buffer.from('AUTH LOGIN\r\n\u00ff'), auth: null },
      { kind: 'ftp_data', length: 0, setup: 'PASV', command: new Uint8Array(0) },
      { kind: 'pop3_reply', ok: false, code: 'SYS/TEMP', line: Uint8Array.of(0, 1, 2, 255).subarray(1, 3) },
      {
        kind: 'http_reply',
        statusCode: Number.POSITIVE_INFINITY,
        firstLine: 'HTTP/1.1 "q" \\ \u2028 \u0007',
        body: null,
      },
      {
        kind: 'imap_pdu',
        parts: [1, -0, 1e21, 2.5, Number.NEGATIVE_INFINITY, [null, 'x', Uint8Array.of(7)]],
        gone: undefined,
      },
      { kind: 'tls_record', nested: { deeper: { bytes: Buffer.from([1, 2, 3]), list: [] } }, flag: true },
    ] as unknown as ProtocolEvent[];
    const table = new PacketTable();
    table.add({ ...PLAIN, events }, true);
    const stored = JSON.parse(table.json())[0].events;
    assert.equal(JSON.stringify(stored), JSON.stringify(events.map(storedBefore)));
    assert.deepEqual(stored[2].line, { base64: Buffer.from([1, 2]).toString('base64') }, 'a view: its own bytes');
  });
});
