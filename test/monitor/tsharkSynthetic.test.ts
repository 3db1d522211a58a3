import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { pcap, pcapng, writeCapture } from './helpers/captureWriter.js';
import {
  checksum,
  ethernet,
  FLAGS,
  icmpEcho,
  ipv4,
  ipv6,
  nullLink,
  OPT,
  sll,
  sll2,
  tcp,
  udp,
  v6Checksummed,
} from './helpers/packets.js';
import { hasTool, ourLines, tempDir, tsharkLines } from './helpers/run.js';
import { httpExchange, type NetPacket, scenario, scenarioV6, tcpConversation, timed } from './helpers/scenario.js';

/**
 * Hand-built captures for every link type we read, compared line by line with tshark's
 * default output on the same file. Each capture holds an HTTP exchange with TCP options, DNS,
 * ICMP, scans, a fragment, a retransmission and IPv6 with an extension header.
 */
const tshark = hasTool('tshark', '-v');
const tmp = tempDir();
after(tmp.cleanup);

const all = (): NetPacket[] => [...scenario(), ...scenarioV6()];
const etherType = (p: NetPacket): number => (p.version === 4 ? 0x0800 : 0x86dd);

const LINKS: ReadonlyArray<{ name: string; linkType: number; frame: (p: NetPacket) => number[] }> = [
  { name: 'Ethernet', linkType: 1, frame: (p) => ethernet(etherType(p), p.bytes) },
  { name: 'Ethernet with 802.1Q VLAN', linkType: 1, frame: (p) => ethernet(etherType(p), p.bytes, 42) },
  { name: 'BSD loopback (NULL)', linkType: 0, frame: (p) => nullLink(p.version === 4 ? 2 : 30, p.bytes) },
  { name: 'raw IP (LINKTYPE_RAW 101)', linkType: 101, frame: (p) => p.bytes },
  { name: 'raw IP (DLT 12)', linkType: 12, frame: (p) => p.bytes },
  { name: 'raw IP (DLT 14)', linkType: 14, frame: (p) => p.bytes },
  { name: 'Linux SLL', linkType: 113, frame: (p) => sll(etherType(p), p.bytes) },
  { name: 'Linux SLL2', linkType: 276, frame: (p) => sll2(etherType(p), p.bytes) },
];

describe('packet log matches tshark on hand-built captures', { skip: tshark ? false : 'tshark not installed' }, () => {
  for (const link of LINKS) {
    test(`${link.name}, pcap`, () => {
      const bytes = pcap(timed(all().map(link.frame)), { linkType: link.linkType });
      const file = writeCapture(join(tmp.dir, `link-${link.linkType}.pcap`), bytes);
      assert.deepEqual(ourLines(bytes), tsharkLines(file));
    });
  }

  test('nanosecond pcap, big-endian', () => {
    const bytes = pcap(timed(all().map(LINKS[0]!.frame)), { linkType: 1, nanoseconds: true, bigEndian: true });
    const file = writeCapture(join(tmp.dir, 'ns-be.pcap'), bytes);
    const ours = ourLines(bytes);
    assert.match(ours[1] ?? '', / 0\.001500123 /);
    assert.deepEqual(ours, tsharkLines(file));
  });

  test('pcapng with if_tsresol 9, big-endian', () => {
    const bytes = pcapng(timed(all().map(LINKS[0]!.frame)), { linkType: 1, tsresol: 9, bigEndian: true });
    const file = writeCapture(join(tmp.dir, 'ns.pcapng'), bytes);
    assert.deepEqual(ourLines(bytes), tsharkLines(file));
  });

  test('pcapng, microseconds, little-endian', () => {
    const bytes = pcapng(timed(all().map(LINKS[6]!.frame)), { linkType: 113 });
    const file = writeCapture(join(tmp.dir, 'us.pcapng'), bytes);
    assert.deepEqual(ourLines(bytes), tsharkLines(file));
  });
});

/** Ethernet frames in a capture of their own, compared line by line with tshark's; our lines. */
function framesMatchTshark(name: string, frames: number[][]): string[] {
  const bytes = pcap(timed(frames), { linkType: 1 });
  const file = writeCapture(join(tmp.dir, `${name}.pcap`), bytes);
  const ours = ourLines(bytes);
  assert.deepEqual(ours, tsharkLines(file));
  return ours;
}

/** As framesMatchTshark, where the lines may differ from tshark's at the frames (1-based) `differing` only. */
function framesBesideTshark(name: string, frames: number[][], differing: readonly number[]): string[] {
  const bytes = pcap(timed(frames), { linkType: 1 });
  const theirs = tsharkLines(writeCapture(join(tmp.dir, `${name}.pcap`), bytes));
  const ours = ourLines(bytes);
  assert.equal(ours.length, theirs.length);
  assert.deepEqual(
    ours.flatMap((l, i) => (l === theirs[i] ? [] : [i + 1])),
    differing,
  );
  return ours;
}

/** Each exchange on ports of its own. */
function exchangesMatchTshark(
  name: string,
  exchanges: ReadonlyArray<readonly [string | Buffer, string | Buffer]>,
): string[] {
  const packets = exchanges.flatMap(([req, res], i) => httpExchange(41000 + i, req, res));
  return framesMatchTshark(name, packets.map(LINKS[0]!.frame));
}

const OK_EMPTY = 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n';
const get = (path = '/') => `GET ${path} HTTP/1.1\r\nHost: www.example.com\r\n\r\n`;

function response(type: string | null, body: Buffer, encoding?: string): Buffer {
  const head =
    'HTTP/1.1 200 OK\r\n' +
    (type === null ? '' : `Content-Type: ${type}\r\n`) +
    (encoding ? `Content-Encoding: ${encoding}\r\n` : '') +
    `Content-Length: ${body.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

describe('names and summaries as tshark shows them', { skip: tshark ? false : 'tshark not installed' }, () => {
  test('methods beyond the common ones: SCCM’s CCM_POST, RPC over HTTP, M- prefixed; SHOUTcast’s ICY answer', () => {
    const ours = exchangesMatchTshark('methods', [
      ['CCM_POST /ccm_system/request HTTP/1.1\r\nHost: mp\r\nContent-Length: 0\r\n\r\n', OK_EMPTY],
      ['RPC_CONNECT / HTTP/1.1\r\nHost: x\r\n\r\n', OK_EMPTY],
      ['M-POST / HTTP/1.1\r\nHost: x\r\n\r\n', OK_EMPTY],
      ['GET /stream HTTP/1.0\r\n\r\n', 'ICY 200 OK\r\nicy-name: radio\r\n\r\n'],
      ['M-FOO / HTTP/1.1\r\nHost: x\r\n\r\n', OK_EMPTY],
    ]);
    assert.ok(ours.some((l) => / HTTP \d+ CCM_POST \/ccm_system\/request HTTP\/1\.1 $/.test(l)));
    assert.ok(ours.some((l) => l.includes('ICY 200 OK')));
  });

  test('a compressed body is named by what it decodes to; one that decodes to nothing gets no media type', () => {
    const empty = Buffer.alloc(0);
    const ours = exchangesMatchTshark('encodings', [
      [get('/gz-empty'), response('text/html', gzipSync(empty), 'gzip')],
      [get('/gz'), response('text/html', gzipSync('<p>hi</p>'), 'gzip')],
      [get('/x-gz-empty'), response('text/html', gzipSync(empty), 'x-gzip')],
      [get('/GZ-empty'), response('text/html', gzipSync(empty), 'GZIP')],
      [get('/deflate-empty'), response('text/html', deflateSync(empty), 'deflate')],
      [get('/raw-deflate-empty'), response('text/html', deflateRawSync(empty), 'deflate')],
      [get('/br-empty'), response('application/json', brotliCompressSync(empty), 'br')],
      [get('/not-gzip'), response('text/html', Buffer.from('garbage, not gzip at all'), 'gzip')],
      [get('/gz-cut'), response('text/html', gzipSync(empty).subarray(0, 12), 'gzip')],
      [get('/identity'), response('text/html', Buffer.from('<p>hi</p>'), 'identity')],
    ]);
    const responses = ours.filter((l) => l.includes('HTTP/1.1 200 OK'));
    // Six empty bodies, one that is no gzip, one cut inside its header.
    assert.equal(responses.filter((l) => l.endsWith('200 OK ')).length, 8, 'eight bodies decode to nothing');
    assert.ok(
      responses.some((l) => l.endsWith('200 OK  (text/html)')),
      'the gzipped page is named',
    );
  });

  test('bodies are named by media type as tshark’s media dissectors name them', () => {
    const xml = Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<a>b</a>\n');
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de', 'hex');
    const gif = Buffer.from('47494638396101000100800000000000ffffff3b', 'hex');
    const jpeg = Buffer.from('ffd8ffe000104a46494600010100000100010000ffd9', 'hex');
    const bodies = [Buffer.from('hello world'), xml, Buffer.from('{"a":1}'), png, gif, jpeg];
    const types = [
      ...['text/html', 'text/plain', 'text/css', 'text/javascript', 'application/x-javascript'],
      ...['application/javascript', 'text/csv', 'text/xml', 'application/xml', 'image/svg+xml', 'application/rss+xml'],
      ...['application/xhtml+xml', 'application/json', 'application/problem+json', 'application/ld+json', 'text/json'],
      ...['application/octet-stream', 'binary/octet-stream', 'multipart/form-data', 'multipart/byteranges'],
      ...['application/grpc', 'application/x-www-form-urlencoded', 'application/smil', 'application/sdp'],
      ...['image/png', 'image/gif', 'image/jpeg', 'image/webp', 'font/woff2', 'application/pdf', 'foo/bar'],
      ...['Text/HTML; charset="utf-8"', 'APPLICATION/JSON', 'text/html charset=utf-8', 'text/xml;charset=utf-8'],
    ];
    const exchanges: Array<readonly [string, Buffer]> = [];
    for (const type of [...types, null]) for (const body of bodies) exchanges.push([get(), response(type, body)]);
    // The XML switch of text types needs more than 38 bytes.
    exchanges.push([get(), response('text/html', Buffer.from('<?xml version="1.0"?><abc>defghi</abc>'))]);
    exchanges.push([get(), response('text/html', Buffer.from('<?XML version="1.0"?><abc>defghij</abc>'))]);
    const ours = exchangesMatchTshark('media-types', exchanges);
    const infos = new Set(ours.map((l) => l.slice(l.indexOf(' 200 OK ') + 8)));
    for (const seen of [
      ' (text/html)',
      ' (PNG)',
      ' (GIF89a)',
      ' (JPEG JFIF image)',
      ', JavaScript Object Notation (application/json)',
    ])
      assert.ok(infos.has(seen), `some body is named${seen}`);
  });

  test('Ethernet addresses are named as tshark names them: whole addresses, blocks, vendors', () => {
    const mac = (text: string) => text.split(':').map((h) => Number.parseInt(h, 16));
    // Source and destination of ARP requests, each from its own sender address.
    const pairs = [
      ['00:1b:54:aa:bb:01', 'ff:ff:ff:ff:ff:ff'], // vendor; broadcast
      ['00:55:da:01:23:45', '01:00:5e:00:00:fb'], // an MA-L block's /28 owner; 01:00:5e/25 cut at 40 bits
      ['00:1b:c5:00:12:34', '33:33:00:00:00:fb'], // a /36 owner; 33:33/16 cut at 40 bits
      ['00:1b:c5:00:10:00', '33:33:00:00:00:00'], // a /36 block's first address; a whole address
      ['02:bf:01:02:03:04', '01:80:c2:00:00:00'], // a /16 block; the /44 spanning-tree block
      ['00:00:0c:07:ac:05', '01:80:c2:00:00:35'], // HSRP /40; a /45 block
      ['01:02:03:04:05:06', '03:00:00:00:00:01'], // a group address under its OUI; `NETBIOS-# [TR?]`
      ['aa:bb:cc:dd:ee:ff', '03:00:0c:04:05:06'], // nobody's; `ISL-Frame [TR?]`
      ['00:00:00:00:00:01', '01:00:0c:cc:cc:cc'],
    ];
    const frames = pairs.map(([src, dst], i) => {
      const sender = [10, 0, 1, i + 1];
      const f = [...mac(dst as string), ...mac(src as string), 0x08, 0x06, 0, 1, 8, 0, 6, 4, 0, 1];
      f.push(...mac(src as string), ...sender, 0, 0, 0, 0, 0, 0, 10, 0, 0, 254);
      while (f.length < 60) f.push(0);
      return f;
    });
    const ours = framesMatchTshark('mac-names', frames);
    assert.ok(
      ours.some((l) => l.includes(' → IPv4mcast_fb ')),
      'a multicast block is cut where tshark cuts it',
    );
  });

  test('what switches send: spanning tree (STP, RST, MST, TCN, PVST+), CDP and LLDP', () => {
    const mac = (text: string) => text.split(':').map((h) => Number.parseInt(h, 16));
    const src = mac('00:1b:54:aa:bb:01');
    const root = mac('00:11:22:33:44:55');
    const u16 = (n: number) => [n >> 8, n & 0xff];
    const pad = (f: number[]) => [...f, ...new Array(Math.max(0, 60 - f.length)).fill(0)];
    // 802.3: the length field instead of an EtherType, then the LLC header.
    const dot3 = (dst: string, llc: number[]) => pad([...mac(dst), ...src, ...u16(llc.length), ...llc]);
    const bpdu = (version: number, type: number, flags: number, rootPrio: number, cost: number, port: number) => [
      ...[0, 0, version, type, flags, ...u16(rootPrio), ...root, ...u16(cost >>> 16), ...u16(cost & 0xffff)],
      ...[0x80, 0, ...src, ...u16(port), 0, 1, 0x14, 0, 2, 0, 0x0f, 0],
    ];
    const stp = (body: number[]) => dot3('01:80:c2:00:00:00', [0x42, 0x42, 0x03, ...body]);
    const snap = (dst: string, pid: number, body: number[]) =>
      dot3(dst, [0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c, ...u16(pid), ...body]);
    const text = (t: string) => [...Buffer.from(t, 'latin1')];
    const cdpTlv = (type: number, value: number[]) => [...u16(type), ...u16(value.length + 4), ...value];
    const lldpTlv = (type: number, value: number[]) => [
      (type << 1) | (value.length >> 8),
      value.length & 0xff,
      ...value,
    ];
    const lldp = (tlvs: number[]) => pad([...mac('01:80:c2:00:00:0e'), ...src, 0x88, 0xcc, ...tlvs, 0, 0]);
    const frames = [
      stp(bpdu(0, 0, 0x01, 0x8000, 4, 0x8001)),
      stp(bpdu(0, 0, 0x80, 0x1001, 19, 0x8003)),
      stp([...bpdu(2, 2, 0x7d, 0x6000 | 10, 200000, 0x9002), 0]),
      stp([...bpdu(3, 2, 0x7c, 0x8000, 0, 0x8001), 0, 0, 64, ...new Array(62).fill(0x41)]),
      stp([0, 0, 0, 0x80]),
      stp([0, 0, 2, 2, 0x3c, 0, 0]),
      stp([]),
      snap('01:00:0c:cc:cc:cd', 0x010b, [...bpdu(2, 2, 0x3c, 0x8000 | 10, 4, 0x8001), 0, 0, 0, 0, 2, 0, 10]),
      snap('01:00:0c:cc:cc:cc', 0x2000, [
        ...[2, 180, 0, 0, ...cdpTlv(1, text('switch1.example.com')), ...cdpTlv(3, text('GigabitEthernet0/1'))],
        ...[...cdpTlv(4, [0, 0, 0, 0x28]), ...cdpTlv(6, text('cisco WS-C2960'))],
      ]),
      lldp([
        ...lldpTlv(1, [4, ...src]),
        ...lldpTlv(2, [5, ...text('Gi0/1')]),
        ...lldpTlv(3, [0, 120]),
        ...lldpTlv(5, text('sw1')),
      ]),
      lldp([...lldpTlv(1, [5, 1, 10, 0, 0, 1]), ...lldpTlv(2, [7, ...text('12')]), ...lldpTlv(3, [0, 4])]),
      lldp([...lldpTlv(1, [3, ...text('pc')]), ...lldpTlv(2, [4, 1, 192, 168, 0, 1]), ...lldpTlv(3, [1, 44])]),
      lldp([...lldpTlv(1, [6, ...text('eth0')]), ...lldpTlv(2, [6, ...text('c\tx')]), ...lldpTlv(3, [0, 0])]),
      lldp([...lldpTlv(1, [1, ...text('cc')]), ...lldpTlv(2, [1, ...text('ia')]), ...lldpTlv(6, text('IOS'))]),
    ];
    const ours = framesMatchTshark('switches', frames);
    assert.ok(
      ours.some((l) => l.includes(' STP 60 RST. TC + Root = 24576/10/00:11:22:33:44:55  Cost = 200000  Port = 0x9002')),
    );
    assert.ok(
      ours.some(
        (l) => l.includes(' CDP ') && l.endsWith('Device ID: switch1.example.com  Port ID: GigabitEthernet0/1  '),
      ),
    );
  });

  test('IP fragments: the one that completes a datagram shows it whole, in any order, overlaps as tshark resolves them', () => {
    const [a, b] = ['10.0.0.1', '10.0.0.2'];
    const v4Fragments = (src: string, dst: string, proto: number, payload: number[], size: number, id: number) =>
      Array.from({ length: Math.ceil(payload.length / size) }, (_, k) =>
        ipv4(
          { src, dst, proto, id, fragOffset: k * size, moreFragments: (k + 1) * size < payload.length },
          payload.slice(k * size, (k + 1) * size),
        ),
      );
    const [s6, d6] = ['2001:db8::1', '2001:db8::2'];
    const v6Fragments = (proto: number, payload: number[], size: number, id: number) =>
      Array.from({ length: Math.ceil(payload.length / size) }, (_, k) => {
        const field = ((k * size) / 8) * 8 + ((k + 1) * size < payload.length ? 1 : 0);
        const header = [44, field >> 8, field & 0xff, id >>> 24, (id >> 16) & 0xff, (id >> 8) & 0xff, id & 0xff];
        return ipv6(s6, d6, proto, payload.slice(k * size, (k + 1) * size), 64, [header]);
      });
    const ping = v4Fragments(a, b, 1, icmpEcho(8, 0x1234, 1, 'x'.repeat(1400)), 600, 0x100);
    const pong = v4Fragments(b, a, 1, icmpEcho(0, 0x1234, 1, 'x'.repeat(1400)), 600, 0x200);
    const outOfOrder = v4Fragments(a, b, 17, udp(40001, 40002, Buffer.alloc(1000, 0x42)), 504, 0x300).reverse();
    const [holeStart, , holeEnd] = v4Fragments(a, b, 17, udp(40003, 40004, Buffer.alloc(1200, 0x41)), 400, 0x400);
    // Teardrop: the second fragment starts inside the first and ends the datagram before the first's end.
    const udpHeader = udp(31915, 20197, Buffer.alloc(28, 0x43));
    const teardrop = [
      ipv4({ src: a, dst: b, proto: 17, id: 0xf2, moreFragments: true }, udpHeader),
      ipv4({ src: a, dst: b, proto: 17, id: 0xf2, fragOffset: 24 }, [1, 2, 3, 4]),
    ];
    const udp6 = v6Fragments(17, v6Checksummed(s6, d6, 17, udp(7000, 8000, Buffer.alloc(1500, 0x43)), 6), 504, 0xabc);
    const echo6 = v6Fragments(58, v6Checksummed(s6, d6, 58, icmpEcho(128, 7, 1, 'y'.repeat(1300)), 2), 600, 0xdef);
    const packets = [...ping, ...pong, ...outOfOrder, holeStart!, holeEnd!, ...teardrop, ...udp6, ...echo6];
    const ours = framesMatchTshark(
      'fragments',
      packets.map((p) => ethernet(p[0]! >> 4 === 4 ? 0x0800 : 0x86dd, p)),
    );
    assert.ok(ours.some((l) => / ICMP \d+ Echo \(ping\) reply .*\(request in 3\)/.test(l)));
    assert.ok(ours.some((l) => l.includes(' UDP 38 31915 → 20197 [BAD UDP LENGTH 36 > IP PAYLOAD LENGTH] Len=28')));
    assert.equal(ours.filter((l) => l.includes('ID=0400')).length, 2, 'a datagram with a hole stays in fragments');
  });

  test('UDP length fields below 8 or beyond the IP payload are reported as tshark reports them', () => {
    const withLength = (length: number, data: number) => {
      const datagram = udp(40001, 40002, Buffer.alloc(data, 0x41));
      datagram[4] = length >> 8;
      datagram[5] = length & 0xff;
      return ethernet(0x0800, ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 17 }, datagram));
    };
    const ours = framesMatchTshark('udp-lengths', [
      withLength(100, 20),
      withLength(4, 20),
      withLength(0, 20),
      withLength(20, 40),
      withLength(100, 0),
    ]);
    assert.ok(ours[1]?.endsWith('40001 → 40002 [BAD UDP LENGTH 4 < 8]'));
  });

  /** NetBIOS name service messages: queries, a response, registration, release, NBSTAT, refresh, an error. */
  function nbns(): number[][] {
    const name = (text: string, suffix: number, star = false) => {
      const bytes = star ? [0x2a, ...new Array(15).fill(0)] : [...Buffer.from(text.padEnd(15, ' ')), suffix];
      return [32, ...bytes.flatMap((c) => [65 + (c >> 4), 65 + (c & 0x0f)]), 0];
    };
    const header = (id: number, flags: number, counts: [number, number, number, number]) => [
      ...[id >> 8, id & 0xff, flags >> 8, flags & 0xff],
      ...counts.flatMap((n) => [0, n]),
    ];
    const nbRecord = (owner: number[], data: number[]) => [
      ...owner,
      0,
      0x20,
      0,
      1,
      0,
      0,
      0x0e,
      0x10,
      0,
      data.length,
      ...data,
    ];
    const host = [0, 0, 10, 0, 0, 1];
    return [
      [...header(0x80f0, 0x0110, [1, 0, 0, 0]), ...name('WPAD', 0), 0, 0x20, 0, 1],
      [...header(0x80f0, 0x8500, [0, 1, 0, 0]), ...nbRecord(name('WPAD', 0), [0, 0, 10, 0, 0, 5])],
      [...header(0x1234, 0x2910, [1, 0, 0, 1]), ...name('HOST1', 0x20), 0, 0x20, 0, 1, ...nbRecord([0xc0, 12], host)],
      [...header(0x1235, 0x3010, [1, 0, 0, 1]), ...name('HOST1', 0x20), 0, 0x20, 0, 1, ...nbRecord([0xc0, 12], host)],
      [...header(0x1236, 0x0000, [1, 0, 0, 0]), ...name('*', 0, true), 0, 0x21, 0, 1],
      [
        ...header(0x1237, 0x4010, [1, 0, 0, 1]),
        ...name('WORKGROUP', 0x1e),
        0,
        0x20,
        0,
        1,
        ...nbRecord([0xc0, 12], host),
      ],
      [...header(0x1238, 0x8583, [0, 1, 0, 0]), ...nbRecord(name('NOPE', 0), [])],
    ];
  }

  test('the UDP services a network hums with: NTP (mode 7 too), mDNS, LLMNR, SSDP, DHCP, BOOTP and NBNS', () => {
    const datagram = (sport: number, dport: number, payload: Buffer | number[], dst = '10.0.0.2') =>
      ethernet(0x0800, ipv4({ src: '10.0.0.1', dst, proto: 17 }, udp(sport, dport, Buffer.from(payload))));
    const ntp = (first: number, length = 48, code = 0) => {
      const b = Buffer.alloc(length);
      b[0] = first;
      if (length > 3) b[3] = code;
      return b;
    };
    const name = (n: string) =>
      Buffer.concat([
        ...n.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])),
        Buffer.from([0]),
      ]);
    const header = (id: number, flags: number, questions: number, answers: number) =>
      Buffer.from([id >> 8, id & 0xff, flags >> 8, flags & 0xff, 0, questions, 0, answers, 0, 0, 0, 0]);
    const question = (n: string, type: number, cls: number) =>
      Buffer.concat([name(n), Buffer.from([0, type, cls >> 8, cls & 0xff])]);
    const record = (n: string, type: number, cls: number, data: number[]) =>
      Buffer.concat([name(n), Buffer.from([0, type, cls >> 8, cls & 0xff, 0, 0, 0, 120, 0, data.length, ...data])]);
    const dhcp = (op: number, type: number | null) => {
      const b = Buffer.alloc(244);
      b[0] = op;
      b[1] = 1;
      b[2] = 6;
      b.writeUInt32BE(0x3903f326, 4);
      b.set([0x00, 0x1b, 0x54, 0xaa, 0xbb, 0x01], 28);
      b.writeUInt32BE(0x63825363, 236);
      b.set(type === null ? [255] : [53, 1, type, 255], 240);
      return b;
    };
    const frames = [
      ...[0xe3, 0x24, 0x1c, 0x19, 0x16, 0x11].map((first) => datagram(123, 123, ntp(first))),
      datagram(40000, 123, ntp(0x17, 48, 42)),
      datagram(123, 40000, ntp(0x97, 48, 42)),
      datagram(40000, 123, ntp(0x17, 8, 20)),
      datagram(40000, 123, [0x17, 0x80, 0x03, 0x2a, 0, 0, 0, 0]),
      datagram(40000, 123, [0x17, 0x00, 0x03, 0x2a, 0, 1, 0, 8]),
      datagram(40000, 123, ntp(0x23, 20)),
      datagram(
        5353,
        5353,
        Buffer.concat([header(0, 0, 2, 0), question('a.local', 1, 1), question('b.local', 28, 0x8001)]),
        '224.0.0.251',
      ),
      datagram(
        5353,
        5353,
        Buffer.concat([
          header(0, 0x8400, 0, 2),
          record('printer.local', 1, 0x8001, [192, 168, 1, 5]),
          record('_ipp._tcp.local', 12, 1, [...name('p._ipp._tcp.local')]),
        ]),
        '224.0.0.251',
      ),
      datagram(40002, 5355, Buffer.concat([header(0x1234, 0, 1, 0), question('wpad', 1, 1)]), '224.0.0.252'),
      datagram(
        40001,
        1900,
        Buffer.from('M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nST: ssdp:all\r\n\r\n'),
        '239.255.255.250',
      ),
      datagram(1900, 40001, Buffer.from('HTTP/1.1 200 OK\r\nST: upnp:rootdevice\r\n\r\n')),
      datagram(1900, 1900, Buffer.from('not ssdp')),
      ...[1, 2, 3, 4, 5, 6, 7, 8].map((type) => datagram(68, 67, dhcp(1, type), '255.255.255.255')),
      datagram(68, 67, dhcp(1, null)),
      datagram(67, 68, dhcp(2, null)),
      datagram(67, 68, Buffer.from('short')),
      ...nbns().map((payload) => datagram(137, 137, payload, '10.0.0.255')),
    ];
    const ours = framesMatchTshark('udp-services', frames);
    assert.ok(ours.some((l) => l.endsWith(' NTP 90 NTP Version 2, private, Request, MON_GETLIST_1')));
    assert.ok(ours.some((l) => l.endsWith('DHCP Offer    - Transaction ID 0x3903f326')));
  });

  test('a response with segments missing is never shown whole; the next one is found where it starts', () => {
    const [client, server] = ['192.168.7.10', '192.168.7.80'];
    const body = (n: number) => Buffer.alloc(n, 0x61);
    const response = (n: number) =>
      Buffer.concat([
        Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${n}\r\n\r\n`),
        body(n),
      ]);
    // Two keep-alive exchanges; the server's bytes cut in 500-byte segments, some never captured.
    const request = Buffer.from('GET /a HTTP/1.1\r\nHost: x\r\n\r\n');
    const stream = Buffer.concat([response(1800), response(600), response(1300), response(300)]);
    const lost = new Set([1, 6]); // inside the first response; at the end of the third
    const c = (seq: number, ack: number, flags: number, payload?: Buffer) =>
      ethernet(
        0x0800,
        ipv4({ src: client, dst: server, proto: 6 }, tcp({ sport: 51000, dport: 80, seq, ack, flags, payload })),
      );
    const s = (seq: number, ack: number, flags: number, payload?: Buffer) =>
      ethernet(
        0x0800,
        ipv4({ src: server, dst: client, proto: 6 }, tcp({ sport: 80, dport: 51000, seq, ack, flags, payload })),
      );
    const frames = [
      c(1000, 0, FLAGS.SYN),
      s(5000, 1001, FLAGS.SYN | FLAGS.ACK),
      c(1001, 5001, FLAGS.ACK),
      c(1001, 5001, FLAGS.PSH | FLAGS.ACK, request),
    ];
    // The client acknowledges each segment it received (the lost ones too: the capture missed them, not the client).
    const ackedAfterHole: number[] = [];
    for (let at = 0, k = 0; at < stream.length; at += 500, k++) {
      if (lost.has(k)) continue;
      frames.push(s(5001 + at, 1001 + request.length, FLAGS.ACK, stream.subarray(at, at + 500)));
      if (lost.has(k - 1)) ackedAfterHole.push(frames.length);
      frames.push(c(1001 + request.length, 5001 + Math.min(at + 500, stream.length), FLAGS.ACK));
    }
    // The one reading holds the bytes after a hole until the acknowledgement past it gives the
    // hole up: the frame that carried them shows TCP, where tshark read them on its own.
    const ours = framesBesideTshark('lost-segments', frames, ackedAfterHole);
    assert.equal(ours.filter((l) => l.includes(' HTTP/1.1 200 OK  (text/plain)')).length, 2, 'the second and fourth');
  });

  test('multipart bodies: each typed part is named by its media dissector, in order, nested ones too', () => {
    const multipart = (parts: ReadonlyArray<readonly [string | null, string]>, boundary = 'XyZ', quoted = false) => {
      const part = ([type, data]: readonly [string | null, string], i: number) =>
        `--${boundary}\r\nContent-Disposition: form-data; name="p${i}"${type ? '; filename="f"' : ''}\r\n` +
        `${type ? `Content-Type: ${type}\r\n` : ''}\r\n${data}\r\n`;
      const body = `${parts.map(part).join('')}--${boundary}--\r\n`;
      const b = quoted ? `"${boundary}"` : boundary;
      return `POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${b}\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    };
    const png = `\x89PNG\r\n\x1a\n${'\x00'.repeat(24)}`;
    const ours = exchangesMatchTshark('multipart', [
      [
        multipart([
          [null, 'a field'],
          ['text/plain', 'hello'],
        ]),
        OK_EMPTY,
      ],
      [multipart([[null, 'only a field']]), OK_EMPTY],
      [
        multipart([
          ['image/png', png],
          ['application/json', '{"a":1}'],
        ]),
        OK_EMPTY,
      ],
      [
        multipart([
          ['application/xml', '<a/>'],
          ['application/json', '[1]'],
          ['TEXT/CSV; charset=utf-8', 'c,d'],
        ]),
        OK_EMPTY,
      ],
      [
        multipart(
          [
            ['application/octet-stream', 'bin'],
            ['text/html', '<p>x</p>'],
          ],
          'a b-c',
          true,
        ),
        OK_EMPTY,
      ],
      [
        multipart([['multipart/mixed; boundary=QQ', '--QQ\r\nContent-Type: text/plain\r\n\r\ninner\r\n--QQ--']]),
        OK_EMPTY,
      ],
      [multipart([]), OK_EMPTY],
    ]);
    assert.ok(
      ours.some(
        (l) => l.includes(' HTTP/XML/JSON ') && l.endsWith('JavaScript Object Notation (application/json) (text/csv)'),
      ),
    );
  });

  test('answers a web server gives: 103 then 200, 204, 206 byte ranges, trailers, HEAD, OPTIONS, pipelining', () => {
    const ranges =
      '--RR\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-4/100\r\n\r\nhello\r\n' +
      '--RR\r\nContent-Type: text/plain\r\nContent-Range: bytes 10-14/100\r\n\r\nworld\r\n--RR--\r\n';
    exchangesMatchTshark('web-answers', [
      [
        get('/early'),
        'HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\nhello',
      ],
      [get('/none'), 'HTTP/1.1 204 No Content\r\n\r\n'],
      [
        get('/range'),
        `HTTP/1.1 206 Partial Content\r\nContent-Type: multipart/byteranges; boundary=RR\r\nContent-Length: ${ranges.length}\r\n\r\n${ranges}`,
      ],
      [
        get('/trailer'),
        'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n5\r\nhello\r\n0\r\nX-Sum: 42\r\n\r\n',
      ],
      [
        get('/both'),
        'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
      ],
      [
        'HEAD /x HTTP/1.1\r\nHost: x\r\n\r\n',
        'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 1234\r\n\r\n',
      ],
      ['OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n', 'HTTP/1.1 204 No Content\r\nAllow: GET, HEAD\r\n\r\n'],
      [get('/a') + get('/b'), `${OK_EMPTY}${OK_EMPTY}`],
    ]);
  });

  test('a FIN after an unfinished request head is plain TCP', () => {
    const [client, server] = ['192.168.7.10', '192.168.7.80'];
    const c = (seq: number, ack: number, flags: number, payload?: string) =>
      ethernet(
        0x0800,
        ipv4({ src: client, dst: server, proto: 6 }, tcp({ sport: 54000, dport: 80, seq, ack, flags, payload })),
      );
    const s = (seq: number, ack: number, flags: number) =>
      ethernet(
        0x0800,
        ipv4({ src: server, dst: client, proto: 6, ttl: 128 }, tcp({ sport: 80, dport: 54000, seq, ack, flags })),
      );
    const ours = framesMatchTshark('fin-after-head', [
      c(1000, 0, FLAGS.SYN),
      s(5000, 1001, FLAGS.SYN | FLAGS.ACK),
      c(1001, 5001, FLAGS.ACK),
      c(1001, 5001, FLAGS.PSH | FLAGS.ACK, 'GET /simple\r\n'),
      s(5001, 1014, FLAGS.ACK),
      c(1014, 5001, FLAGS.FIN | FLAGS.ACK),
      s(5001, 1015, FLAGS.FIN | FLAGS.ACK),
    ]);
    assert.ok(ours.some((l) => / 54000 → 80 \[FIN, ACK\] Seq=14 /.test(l)));
  });

  test('TLS on a port no dissector claims is found as tshark finds it, segment by segment', () => {
    const [client, server] = ['192.168.7.10', '192.168.7.80'];
    const hello = Buffer.from(`160301002f0100002b0303${'11'.repeat(32)}000002c02f01000000`, 'hex');
    const appData = Buffer.from('1703030005aabbccddee', 'hex');
    const frames: number[][] = [];
    const conversation = (port: number, clientData: Buffer[], serverData: Buffer[]) => {
      let cseq = 1001;
      let sseq = 5001;
      const c = (flags: number, payload?: Buffer) => {
        frames.push(
          ethernet(
            0x0800,
            ipv4(
              { src: client, dst: server, proto: 6 },
              tcp({ sport: 55000 + (port % 1000), dport: port, seq: cseq, ack: sseq, flags, payload }),
            ),
          ),
        );
        cseq += payload?.length ?? 0;
      };
      const s = (flags: number, payload?: Buffer) => {
        frames.push(
          ethernet(
            0x0800,
            ipv4(
              { src: server, dst: client, proto: 6, ttl: 128 },
              tcp({ sport: port, dport: 55000 + (port % 1000), seq: sseq, ack: cseq, flags, payload }),
            ),
          ),
        );
        sseq += payload?.length ?? 0;
      };
      frames.push(
        ethernet(
          0x0800,
          ipv4(
            { src: client, dst: server, proto: 6 },
            tcp({ sport: 55000 + (port % 1000), dport: port, seq: 1000, flags: FLAGS.SYN }),
          ),
        ),
        ethernet(
          0x0800,
          ipv4(
            { src: server, dst: client, proto: 6, ttl: 128 },
            tcp({ sport: port, dport: 55000 + (port % 1000), seq: 5000, ack: 1001, flags: FLAGS.SYN | FLAGS.ACK }),
          ),
        ),
      );
      c(FLAGS.ACK);
      for (let i = 0; i < Math.max(clientData.length, serverData.length); i++) {
        const cd = clientData[i];
        const sd = serverData[i];
        if (cd) c(FLAGS.PSH | FLAGS.ACK, cd);
        if (sd) s(FLAGS.PSH | FLAGS.ACK, sd);
      }
    };
    conversation(8443, [hello], [appData]);
    conversation(443, [hello], [appData]);
    conversation(7777, [Buffer.from('SSH-2.0-OpenSSH_9.2\r\n'), hello], [Buffer.from('SSH-2.0-x\r\n')]);
    const ours = framesMatchTshark('tls-heuristic', frames);
    // On 8443 as on 443, and on 7777 once a segment looks like TLS (tshark tries its heuristic on each).
    assert.equal(ours.filter((l) => / TLSv1 \d+ Client Hello$/.test(l)).length, 3);
    assert.ok(
      ours.some((l) => / TCP \d+ 55777 → 7777 .*Len=21/.test(l)),
      'the SSH banner stays TCP',
    );
  });

  test('SSH on port 22: banners, the key exchange named by the method both sides agree on, then encrypted', () => {
    const [client, server] = ['192.168.7.10', '192.168.7.80'];
    const nameList = (text: string) => {
      const b = Buffer.from(text);
      return Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
    };
    /** An unencrypted binary packet (RFC 4253 §6) with `payload`, padded to a multiple of 8. */
    const packet = (payload: Buffer) => {
      let padding = 8 - ((payload.length + 5) % 8);
      if (padding < 4) padding += 8;
      const head = Buffer.from([0, 0, 0, 0, padding]);
      head.writeUInt32BE(1 + payload.length + padding);
      return Buffer.concat([head, payload, Buffer.alloc(padding)]);
    };
    const kexinit = (methods: string) =>
      packet(
        Buffer.concat([
          Buffer.from([20]),
          Buffer.alloc(16, 7),
          nameList(methods),
          ...['ssh-ed25519', 'aes128-ctr', 'aes128-ctr', 'hmac-sha2-256', 'hmac-sha2-256', 'none', 'none', '', ''].map(
            nameList,
          ),
          Buffer.alloc(5),
        ]),
      );
    const sshString = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, (b.length >> 8) & 0xff, b.length & 0xff]), b]);
    const hostKey = sshString(Buffer.concat([sshString(Buffer.from('ssh-ed25519')), sshString(Buffer.alloc(32, 5))]));
    const signature = sshString(Buffer.concat([sshString(Buffer.from('ssh-ed25519')), sshString(Buffer.alloc(64, 6))]));
    const mpint = sshString(Buffer.alloc(256, 0x4a));
    /** Well-formed key exchange messages, as each method defines them (RFC 4253, 4419, 5656). */
    const bodies: Readonly<Record<string, Buffer>> = {
      'ecdh-30': sshString(Buffer.alloc(32, 1)),
      'ecdh-31': Buffer.concat([hostKey, sshString(Buffer.alloc(32, 2)), signature]),
      'dh-30': mpint,
      'dh-31': Buffer.concat([hostKey, mpint, signature]),
      'gex-34': Buffer.from([0, 0, 8, 0, 0, 0, 16, 0, 0, 0, 32, 0]),
      'gex-31': Buffer.concat([mpint, sshString(Buffer.from([2]))]),
      'gex-32': mpint,
      'gex-33': Buffer.concat([hostKey, mpint, signature]),
    };
    const message = (family: string, code: number) =>
      packet(Buffer.concat([Buffer.from([code]), bodies[`${family}-${code}`] ?? Buffer.alloc(0)]));
    const frames: number[][] = [];
    let port = 56000;
    const session = (steps: ReadonlyArray<readonly ['c' | 's', Buffer]>) => {
      port++;
      frames.push(...tcpConversation({ client, server, clientPort: port, serverPort: 22, serverTtl: 64 }, steps));
    };
    const banner = (text: string) => Buffer.from(`${text}\r\n`);
    const exchange = (methods: string, family: string, codes: Array<readonly ['c' | 's', number[]]>) => {
      const kex: Array<readonly ['c' | 's', Buffer]> = codes.map(([from, cs]) => [
        from,
        Buffer.concat(cs.map((c) => message(family, c))),
      ]);
      return [
        ['c', banner('SSH-2.0-OpenSSH_9.2')],
        ['s', banner('SSH-2.0-OpenSSH_9.6')],
        ['c', kexinit(methods)],
        ['s', kexinit('curve25519-sha256,diffie-hellman-group-exchange-sha256,diffie-hellman-group14-sha256')],
        ...kex,
        ['c', Buffer.alloc(44, 9)],
        ['s', Buffer.alloc(52, 9)],
      ] as Array<readonly ['c' | 's', Buffer]>;
    };
    session(
      exchange('curve25519-sha256', 'ecdh', [
        ['c', [30]],
        ['s', [31, 21]],
        ['c', [21]],
      ]),
    );
    session(
      exchange('diffie-hellman-group14-sha256', 'dh', [
        ['c', [30]],
        ['s', [31, 21]],
        ['c', [21]],
      ]),
    );
    session(
      exchange('diffie-hellman-group-exchange-sha256', 'gex', [
        ['c', [34]],
        ['s', [31]],
        ['c', [32]],
        ['s', [33, 21]],
        ['c', [21]],
      ]),
    );
    // A library that sends its banner and KEXINIT at once, and one whose KEXINIT is cut in two.
    const kex = kexinit('curve25519-sha256');
    session([
      ['c', Buffer.concat([banner('SSH-2.0-paramiko_3.4.0'), kex])],
      ['s', banner('SSH-2.0-OpenSSH_9.6')],
    ]);
    session([
      ['c', banner('SSH-2.0-Go')],
      ['c', kex.subarray(0, 100)],
      ['c', kex.subarray(100)],
    ]);
    // No banner at all: an HTTP probe, and binary noise.
    session([
      ['c', Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')],
      ['s', banner('SSH-2.0-OpenSSH_9.6')],
    ]);
    session([['c', Buffer.from('\x00\x01garbage', 'latin1')]]);
    const ours = framesMatchTshark('ssh', frames);
    assert.ok(ours.some((l) => l.endsWith(' Client: Elliptic Curve Diffie-Hellman Key Exchange Init')));
    assert.ok(ours.some((l) => l.includes('Server: Diffie-Hellman Group Exchange Reply, New Keys')));
  });

  test('a body that looks like headers, in the segment of the head, is body', () => {
    const body = 'Content-Length: 3\r\nContent-Type: image/png\r\nTransfer-Encoding: chunked\r\n\r\nmore text';
    const ours = exchangesMatchTshark('head-and-body', [
      [get('/echo'), `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`],
    ]);
    assert.ok(ours.some((l) => l.endsWith('HTTP/1.1 200 OK  (text/plain)')));
  });

  test('WebSocket after an upgrade: frames named by their header, the last a segment completes, however cut', () => {
    const [client, server] = ['192.168.7.10', '192.168.7.80'];
    const ws = (op: number, payload: Buffer | string, { fin = true, mask = true } = {}): Buffer => {
      const p = Buffer.from(payload);
      const len = p.length < 126 ? [p.length] : [126, p.length >> 8, p.length & 0xff];
      const head = Buffer.from([(fin ? 0x80 : 0) | op, (mask ? 0x80 : 0) | (len[0] as number), ...len.slice(1)]);
      if (!mask) return Buffer.concat([head, p]);
      const key = Buffer.from([9, 8, 7, 6]);
      return Buffer.concat([head, key, p.map((b, i) => b ^ (key[i % 4] as number))]);
    };
    let cseq = 1001;
    let sseq = 5001;
    const frames: number[][] = [];
    const c = (payload?: Buffer | string, flags = FLAGS.PSH | FLAGS.ACK) => {
      const data = payload === undefined ? undefined : Buffer.from(payload);
      frames.push(
        ethernet(
          0x0800,
          ipv4(
            { src: client, dst: server, proto: 6 },
            tcp({ sport: 52000, dport: 80, seq: cseq, ack: sseq, flags, payload: data }),
          ),
        ),
      );
      cseq += data?.length ?? 0;
    };
    const s = (payload?: Buffer | string, flags = FLAGS.PSH | FLAGS.ACK) => {
      const data = payload === undefined ? undefined : Buffer.from(payload);
      frames.push(
        ethernet(
          0x0800,
          ipv4(
            { src: server, dst: client, proto: 6, ttl: 128 },
            tcp({ sport: 80, dport: 52000, seq: sseq, ack: cseq, flags, payload: data }),
          ),
        ),
      );
      sseq += data?.length ?? 0;
    };
    frames.push(
      ethernet(
        0x0800,
        ipv4({ src: client, dst: server, proto: 6 }, tcp({ sport: 52000, dport: 80, seq: 1000, flags: FLAGS.SYN })),
      ),
      ethernet(
        0x0800,
        ipv4(
          { src: server, dst: client, proto: 6, ttl: 128 },
          tcp({ sport: 80, dport: 52000, seq: 5000, ack: 1001, flags: FLAGS.SYN | FLAGS.ACK }),
        ),
      ),
    );
    c(undefined, FLAGS.ACK);
    c(
      'GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    s(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n',
    );
    c(ws(1, 'hello'));
    s(ws(1, 'hello', { mask: false }));
    c(Buffer.concat([ws(1, 'two'), ws(2, 'three')]));
    c(ws(1, 'frag-a', { fin: false }));
    c(ws(0, 'frag-b'));
    const big = ws(2, Buffer.alloc(300, 7));
    c(big.subarray(0, 1));
    c(big.subarray(1, 120));
    c(big.subarray(120));
    const partial = ws(1, 'yy');
    c(Buffer.concat([ws(1, 'x'), partial.subarray(0, 3)]));
    c(partial.subarray(3));
    c(ws(9, 'ping'));
    s(ws(10, 'ping', { mask: false }));
    c(ws(0xb, 'odd'));
    c(ws(8, Buffer.from([0x03, 0xe8])));
    s(ws(8, Buffer.from([0x03, 0xe8]), { mask: false }));
    s(undefined, FLAGS.FIN | FLAGS.ACK);
    c(undefined, FLAGS.FIN | FLAGS.ACK);
    const ours = framesMatchTshark('websocket', frames);
    assert.ok(ours.some((l) => l.endsWith(' WebSocket Text[FRAGMENT]  [MASKED]')));
    assert.ok(ours.some((l) => l.endsWith(' WebSocket Unknown Opcode [FIN] [MASKED]')));
    assert.ok(!ours.some((l) => / \[FIN, ACK\] .*reassembled PDU/.test(l)), 'a FIN after the last frame is plain TCP');
  });

  test("a segment that fills the receiver's scaled window to its edge is [TCP Window Full]", () => {
    const [client, server] = ['192.168.7.10', '192.168.7.80'];
    const scale = [...OPT.nop(), ...OPT.ws(7)];
    const c = (seq: number, ack: number, flags: number, win: number, payload?: string, options?: number[]) =>
      ethernet(
        0x0800,
        ipv4(
          { src: client, dst: server, proto: 6 },
          tcp({ sport: 53000, dport: 80, seq, ack, flags, win, payload, ...(options ? { options } : {}) }),
        ),
      );
    const s = (seq: number, ack: number, flags: number, payload?: Buffer, options?: number[]) =>
      ethernet(
        0x0800,
        ipv4(
          { src: server, dst: client, proto: 6, ttl: 128 },
          tcp({ sport: 80, dport: 53000, seq, ack, flags, win: 512, payload, ...(options ? { options } : {}) }),
        ),
      );
    const request = 'GET /big HTTP/1.1\r\nHost: x\r\n\r\n';
    const head = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3000\r\n\r\n';
    const body = Buffer.concat([Buffer.from(head), Buffer.alloc(3000, 0x61)]);
    const after = 1001 + request.length;
    const ours = framesMatchTshark('window-full', [
      c(1000, 0, FLAGS.SYN, 65535, undefined, scale),
      s(5000, 1001, FLAGS.SYN | FLAGS.ACK, undefined, scale),
      // A window field of 16, scaled by 2^7: the client offers 2048 bytes.
      c(1001, 5001, FLAGS.ACK, 16),
      c(1001, 5001, FLAGS.PSH | FLAGS.ACK, 16, request),
      s(5001, after, FLAGS.ACK, body.subarray(0, 1400)),
      s(6401, after, FLAGS.ACK, body.subarray(1400, 2048)),
      c(after, 7049, FLAGS.ACK, 40),
      s(7049, after, FLAGS.PSH | FLAGS.ACK, body.subarray(2048)),
    ]);
    assert.equal(ours.filter((l) => l.includes('[TCP Window Full]')).length, 1);
  });

  test('ARP as hosts joining a link send it: probes, announcements, gratuitous ARP; RARP and Inverse ARP', () => {
    const mac = (text: string) => text.split(':').map((h) => Number.parseInt(h, 16));
    const ip = (text: string) => text.split('.').map(Number);
    const [a, b, none, all] = ['00:1b:54:aa:bb:01', '00:1b:54:aa:bb:02', '00:00:00:00:00:00', 'ff:ff:ff:ff:ff:ff'];
    const arp = (op: number, sha: string, spa: string, tha: string, tpa: string) => {
      const f = [
        ...mac(all),
        ...mac(sha),
        0x08,
        0x06,
        0,
        1,
        8,
        0,
        6,
        4,
        0,
        op,
        ...mac(sha),
        ...ip(spa),
        ...mac(tha),
        ...ip(tpa),
      ];
      return [...f, ...new Array(60 - f.length).fill(0)];
    };
    const ours = framesMatchTshark('arp', [
      arp(1, a, '10.0.0.1', none, '10.0.0.2'),
      arp(2, b, '10.0.0.2', a, '10.0.0.1'),
      arp(1, a, '0.0.0.0', none, '10.0.0.9'),
      arp(1, a, '0.0.0.0', b, '10.0.0.9'),
      arp(1, a, '10.0.0.3', none, '10.0.0.3'),
      arp(1, a, '10.0.0.4', all, '10.0.0.4'),
      arp(2, a, '10.0.0.5', all, '10.0.0.5'),
      arp(3, a, '10.0.0.1', a, '10.0.0.1'),
      arp(4, b, '10.0.0.2', a, '10.0.0.1'),
      arp(8, a, '10.0.0.1', b, '10.0.0.2'),
      arp(9, b, '10.0.0.2', a, '10.0.0.1'),
    ]);
    assert.ok(ours.some((l) => l.endsWith(' ARP 60 Who has 10.0.0.9? (ARP Probe)')));
    assert.ok(ours.some((l) => l.endsWith(' ARP 60 ARP Announcement for 10.0.0.3')));
  });

  test('multicast membership as hosts and switches send it: IGMP v1/v2/v3 and MLD', () => {
    const ip = (text: string) => text.split('.').map(Number);
    const withChecksum = (m: number[]) => {
      const c = checksum(m);
      m[2] = c >> 8;
      m[3] = c & 0xff;
      return m;
    };
    const igmp = (dst: string, m: number[]) =>
      ethernet(0x0800, ipv4({ src: '10.0.0.1', dst, proto: 2, ttl: 1 }, withChecksum(m)));
    const record = (type: number, group: string, sources: string[]) => [
      type,
      0,
      0,
      sources.length,
      ...ip(group),
      ...sources.flatMap(ip),
    ];
    const report = (...records: number[][]) =>
      igmp('224.0.0.22', [0x22, 0, 0, 0, 0, 0, 0, records.length, ...records.flat()]);
    const mld = (dst: string, body: number[]) =>
      ethernet(0x86dd, ipv6('fe80::1', dst, 58, v6Checksummed('fe80::1', dst, 58, body, 2), 1));
    const group6 = [0xff, 0x02, ...new Array(13).fill(0), 0xfb];
    const frames = [
      igmp('224.0.0.1', [0x11, 0, 0, 0, 0, 0, 0, 0]),
      igmp('224.0.0.1', [0x11, 100, 0, 0, 0, 0, 0, 0]),
      igmp('239.4.4.4', [0x11, 100, 0, 0, ...ip('239.4.4.4')]),
      igmp('224.0.0.1', [0x11, 100, 0, 0, 0, 0, 0, 0, 0, 125, 0, 0]),
      igmp('239.4.4.4', [0x11, 100, 0, 0, ...ip('239.4.4.4'), 0, 125, 0, 1, ...ip('10.9.9.9')]),
      igmp('224.0.0.5', [0x12, 0, 0, 0, ...ip('224.0.0.5')]),
      igmp('239.255.255.250', [0x16, 0, 0, 0, ...ip('239.255.255.250')]),
      igmp('224.0.0.2', [0x17, 0, 0, 0, ...ip('239.255.255.250')]),
      report(record(4, '224.0.0.251', []), record(3, '239.1.1.1', [])),
      ...[1, 2, 5, 6].flatMap((type) => [
        report(record(type, '239.3.3.3', [])),
        report(record(type, '239.3.3.3', ['10.9.9.9'])),
        report(record(type, '239.3.3.3', ['10.9.9.9', '10.8.8.8'])),
      ]),
      mld('ff02::1', [130, 0, 0, 0, 0x27, 0x10, 0, 0, ...new Array(16).fill(0)]),
      mld('ff02::fb', [131, 0, 0, 0, 0, 0, 0, 0, ...group6]),
      mld('ff02::2', [132, 0, 0, 0, 0, 0, 0, 0, ...group6]),
      mld('ff02::16', [143, 0, 0, 0, 0, 0, 0, 1, 4, 0, 0, 0, ...group6]),
    ];
    const ours = framesMatchTshark('multicast', frames);
    assert.ok(
      ours.some((l) =>
        l.endsWith(' IGMPv3 58 Membership Report / Join group 224.0.0.251 for any sources / Leave group 239.1.1.1'),
      ),
    );
  });
});
