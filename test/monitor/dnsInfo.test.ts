import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type DnsMessage, decodeDns } from '../../src/monitor/decode/dns.js';
import { writeDnsInfo } from '../../src/monitor/log/info/dns.js';
import { LineBuffer } from '../../src/monitor/log/lineBuffer.js';
import { DNS_TYPES } from '../../src/monitor/protocols/dns.js';

/**
 * The summary as the log made it before it wrote it from the bytes: the message decoded
 * (../../src/monitor/decode/dns.ts, which the evidence still uses), then worded.
 */
function summaryOfDecoded(m: DnsMessage, mdns: boolean): string {
  const opcodes = ['Standard query', 'Inverse query', 'Server status request', 'Unknown operation (3)'];
  opcodes.push('Zone change notification', 'Dynamic update');
  const rcodes = ['No error', 'Format error', 'Server failure', 'No such name', 'Not implemented', 'Refused'];
  const type = (t: number) => DNS_TYPES[t] ?? `Unknown (${t})`;
  let s = opcodes[m.opcode] ?? `Unknown operation (${m.opcode})`;
  if (m.response) s += ' response';
  s += ` 0x${m.id.toString(16).padStart(4, '0')}`;
  if (m.response && m.rcode !== 0) s += ` ${rcodes[m.rcode] ?? `Unknown error (${m.rcode})`}`;
  for (const q of m.questions) {
    s += ` ${type(q.type)} ${q.name}`;
    if (mdns) s += (q.class & 0x8000) !== 0 ? ', "QU" question' : ', "QM" question';
  }
  for (const r of m.records) {
    const flush = mdns && (r.class & 0x8000) !== 0 ? ', cache flush' : '';
    s += r.data === '' ? ` ${type(r.type)}${flush}` : ` ${type(r.type)}${flush} ${r.data}`;
  }
  return s;
}

function written(message: Uint8Array, mdns: boolean): string {
  const out = new LineBuffer();
  out.text('head ');
  writeDnsInfo(out, message, mdns);
  return out.textFrom(5);
}

const u16 = (n: number) => [(n >> 8) & 0xff, n & 0xff];
const name = (text: string) => [...text.split('.').flatMap((l) => [l.length, ...Buffer.from(l, 'latin1')]), 0];
const header = (id: number, flags: number, qd: number, an: number, ns = 0, ar = 0) => [
  ...u16(id),
  ...u16(flags),
  ...u16(qd),
  ...u16(an),
  ...u16(ns),
  ...u16(ar),
];
const rr = (owner: number[], type: number, cls: number, data: number[]) => [
  ...owner,
  ...u16(type),
  ...u16(cls),
  0,
  0,
  0x0e,
  0x10,
  ...u16(data.length),
  ...data,
];
/** A pointer to the first question's name (at offset 12). */
const PTR = [0xc0, 12];

/** Messages of every shape the summary words differently, and the damage it must survive. */
function samples(): number[][] {
  const q = (n: string, type = 1, cls = 1) => [...name(n), ...u16(type), ...u16(cls)];
  const v6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
  const list: number[][] = [
    [...header(0x1234, 0x0100, 1, 0), ...q('www.example.com')],
    [...header(0xbeef, 0x8180, 1, 2), ...q('www.example.com'), ...rr(PTR, 5, 1, name('cdn.example.net'))],
    [...header(1, 0x8180, 1, 1), ...q('v6.example', 28), ...rr(PTR, 28, 1, v6)],
    [...header(2, 0x8180, 1, 1), ...q('example.org', 15), ...rr(PTR, 15, 1, [0, 10, ...name('mx.example.org')])],
    [...header(3, 0x8180, 1, 1), ...q('_sip._tcp.example', 33), ...rr(PTR, 33, 1, [0, 5, 0, 60, 0x13, 0xc4, ...PTR])],
    [...header(4, 0x8180, 1, 1), ...q('example', 6), ...rr(PTR, 6, 1, [...name('ns1.example'), 0, 0, 0, 1])],
    [...header(5, 0x8180, 1, 1), ...q('4.3.2.1.in-addr.arpa', 12), ...rr(PTR, 12, 1, name('host.local'))],
    [...header(6, 0x8183, 1, 0, 1), ...q('nope.example'), ...rr(name('example'), 6, 1, [0xc0, 0xff])],
    [...header(7, 0x8189, 1, 0), ...q('x.example')],
    [...header(8, 0x3000, 1, 0), ...q('upd.example')],
    [...header(9, 0x7800, 0, 0)],
    [...header(10, 0x0000, 1, 0), 0, ...u16(2), ...u16(1)],
    [...header(11, 0x0000, 1, 0), 3, 0x61, 0x00, 0xff, 0, ...u16(4242), ...u16(1)],
    [...header(12, 0x0000, 1, 0), 4, 0x61, 0x20, 0x2e, 0x7f, 0, ...u16(1), ...u16(1)],
    [...header(13, 0x8400, 2, 2), ...q('printer.local', 12, 0x8001), ...q('b.local', 33, 1)],
    [
      ...header(14, 0x8400, 0, 2),
      ...rr(name('p.local'), 1, 0x8001, [192, 168, 1, 9]),
      ...rr(name('p.local'), 16, 1, []),
    ],
    [...header(15, 0x8180, 1, 1), ...q('a.example'), ...rr(PTR, 1, 1, [1, 2, 3])],
    [...header(16, 0x8180, 1, 1), ...q('a.example'), ...rr(PTR, 28, 1, [1, 2, 3, 4])],
    [...header(17, 0x8180, 1, 1), ...q('loop.example'), ...rr([0xc0, 33], 1, 1, [1, 2, 3, 4])],
    [...header(18, 0x0000, 1, 0), 0xc0, 12, ...u16(1), ...u16(1)],
    [...header(19, 0x8180, 1, 1), ...q('mx.example', 15), ...PTR, ...u16(15), ...u16(1), 0, 0, 0, 1, 0, 1, 7],
    [...header(20, 0x8180, 1, 1), ...q('mx.example', 15), ...rr(PTR, 15, 1, [])],
    [...header(21, 0x8180, 1, 1), ...q('mx.example', 33), ...rr(PTR, 33, 1, [0, 1])],
    [...header(22, 0x8180, 1, 1), ...q('ns.example', 2), ...rr(PTR, 2, 1, [0xc0])],
    [...header(23, 0x8180, 70, 0), ...Array.from({ length: 70 }, () => q('many.example')).flat()],
    [...header(24, 0x8180, 1, 1), ...q('t.example', 999), ...rr(PTR, 999, 1, [1, 2])],
    [...header(25, 0x0100, 3, 0), ...q('one.example'), 5, 0x61],
    [...header(26, 0x0100, 1, 0), ...name('trunc.example'), 0],
  ];
  // Names past 63-byte labels and deep pointer chains (each pointer to the one before).
  const chain = [...header(27, 0x0100, 1, 0)];
  chain.push(1, 0x61, 0);
  for (let i = 0; i < 140; i++) chain.push(0xc0, 12 + (i === 0 ? 0 : 3 + 2 * (i - 1)));
  chain.push(...u16(1), ...u16(1));
  const deep = [...header(28, 0x0100, 1, 0), ...u16(1), ...u16(1)];
  deep.splice(12, 0, 0xc0, 12 + 2 * 0);
  list.push(chain, deep, [...header(29, 0x0100, 1, 0), ...q(`${'l'.repeat(63)}.${'m'.repeat(40)}`)]);
  return list;
}

/** A small deterministic generator: the same damage every run. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('the DNS summary written from the message’s bytes', () => {
  test('reads as the decoded message worded: every record type, rcode, opcode, escape and mDNS mark', () => {
    for (const [i, m] of samples().entries()) {
      const b = Uint8Array.from(m);
      for (const mdns of [false, true]) {
        const decoded = decodeDns(b);
        assert.ok(decoded !== null);
        assert.equal(written(b, mdns), summaryOfDecoded(decoded, mdns), `sample ${i}, mdns ${mdns}`);
      }
    }
    // What the words are, beside being the same: a few pinned.
    const [query, cname, v6, mx, srv] = samples().map((m) => written(Uint8Array.from(m), false));
    assert.equal(query, 'Standard query 0x1234 A www.example.com');
    assert.equal(cname, 'Standard query response 0xbeef A www.example.com CNAME cdn.example.net');
    assert.equal(v6, 'Standard query response 0x0001 AAAA v6.example AAAA 2001:db8::1');
    assert.equal(mx, 'Standard query response 0x0002 MX example.org MX 10 mx.example.org');
    assert.equal(srv, 'Standard query response 0x0003 SRV _sip._tcp.example SRV 5 60 5060 _sip._tcp.example');
  });

  test('damaged messages (bytes changed, cut short, grown) read as the decoder reads them', () => {
    const next = random(21);
    const base = samples();
    let compared = 0;
    for (let round = 0; round < 4000; round++) {
      const m = [...(base[Math.floor(next() * base.length)] as number[])];
      const edits = 1 + Math.floor(next() * 4);
      for (let e = 0; e < edits; e++) {
        const what = next();
        const at = 12 + Math.floor(next() * Math.max(1, m.length - 12));
        if (what < 0.6) m[at] = Math.floor(next() * 256);
        else if (what < 0.8) m.length = Math.max(12, at);
        else m.splice(at, 0, ...Array.from({ length: 1 + Math.floor(next() * 6) }, () => Math.floor(next() * 256)));
      }
      if (next() < 0.3) m[Math.floor(next() * 12)] = Math.floor(next() * 256);
      const b = Uint8Array.from(m);
      const decoded = decodeDns(b);
      assert.ok(decoded !== null);
      const mdns = next() < 0.3;
      assert.equal(
        written(b, mdns),
        summaryOfDecoded(decoded, mdns),
        `round ${round}: ${Buffer.from(b).toString('hex')}`,
      );
      compared++;
    }
    assert.equal(compared, 4000);
  });
});
