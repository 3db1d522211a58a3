import type { Packet } from './captureWriter.js';
import { checksum, FLAGS, icmpEcho, ipv4, ipv6, ipv6Bytes, OPT, tcp, udp, v6Checksummed } from './packets.js';

/** Network-layer packets (IPv4 or IPv6 bytes) of a small but varied capture, with their times. */
export interface NetPacket {
  readonly version: 4 | 6;
  readonly bytes: number[];
}

const C = '192.168.7.10';
const S = '192.168.7.80';

function v4(proto: number, payload: number[], extra: Partial<Parameters<typeof ipv4>[0]> = {}): NetPacket {
  return { version: 4, bytes: ipv4({ src: C, dst: S, proto, ...extra }, payload) };
}

function v4r(proto: number, payload: number[]): NetPacket {
  return { version: 4, bytes: ipv4({ src: S, dst: C, proto, ttl: 128 }, payload) };
}

const REQUEST = 'GET /index.html HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: test\r\n\r\n';
const BODY = '<html><body>top page</body></html>\n';
const RESPONSE = `HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: ${BODY.length}\r\n\r\n${BODY}`;

function dnsQuery(id: number): number[] {
  return [
    id >> 8,
    id & 0xff,
    1,
    0,
    0,
    1,
    0,
    0,
    0,
    0,
    0,
    0,
    3,
    ...Buffer.from('www'),
    7,
    ...Buffer.from('example'),
    3,
    ...Buffer.from('com'),
    0,
    0,
    1,
    0,
    1,
  ];
}

function dnsResponse(id: number): number[] {
  const q = dnsQuery(id).slice(12);
  return [
    id >> 8,
    id & 0xff,
    0x81,
    0x80,
    0,
    1,
    0,
    2,
    0,
    0,
    0,
    0,
    ...q,
    0xc0,
    12,
    0,
    5,
    0,
    1,
    0,
    0,
    0,
    60,
    0,
    6,
    3,
    ...Buffer.from('cdn'),
    0xc0,
    16,
    0xc0,
    43,
    0,
    1,
    0,
    1,
    0,
    0,
    0,
    60,
    0,
    4,
    93,
    184,
    216,
    34,
  ];
}

/** The scenario: a full HTTP exchange with options, DNS, ICMP, scans, a fragment, a retransmission. */
export function scenario(): NetPacket[] {
  const isnC = 1_000_000;
  const isnS = 3_000_000_000;
  const synOpts = [...OPT.mss(1460), ...OPT.sackPerm(), ...OPT.ts(100, 0), ...OPT.nop(), ...OPT.ws(7)];
  const ackOpts = [...OPT.nop(), ...OPT.nop(), ...OPT.ts(101, 200)];
  const req = Buffer.from(REQUEST);
  const res = Buffer.from(RESPONSE);
  return [
    v4(6, tcp({ sport: 51000, dport: 80, seq: isnC, flags: FLAGS.SYN, win: 64240, options: synOpts })),
    v4r(
      6,
      tcp({
        sport: 80,
        dport: 51000,
        seq: isnS,
        ack: isnC + 1,
        flags: FLAGS.SYN | FLAGS.ACK,
        win: 65160,
        options: [...OPT.mss(1400), ...OPT.sackPerm(), ...OPT.ts(200, 100), ...OPT.nop(), ...OPT.ws(8)],
      }),
    ),
    v4(6, tcp({ sport: 51000, dport: 80, seq: isnC + 1, ack: isnS + 1, flags: FLAGS.ACK, win: 502, options: ackOpts })),
    v4(
      6,
      tcp({
        sport: 51000,
        dport: 80,
        seq: isnC + 1,
        ack: isnS + 1,
        flags: FLAGS.PSH | FLAGS.ACK,
        win: 502,
        options: ackOpts,
        payload: req,
      }),
    ),
    v4r(
      6,
      tcp({
        sport: 80,
        dport: 51000,
        seq: isnS + 1,
        ack: isnC + 1 + req.length,
        flags: FLAGS.ACK,
        win: 255,
        options: ackOpts,
      }),
    ),
    v4r(
      6,
      tcp({
        sport: 80,
        dport: 51000,
        seq: isnS + 1,
        ack: isnC + 1 + req.length,
        flags: FLAGS.PSH | FLAGS.ACK,
        win: 255,
        options: ackOpts,
        payload: res,
      }),
    ),
    v4(
      6,
      tcp({
        sport: 51000,
        dport: 80,
        seq: isnC + 1 + req.length,
        ack: isnS + 1 + res.length,
        flags: FLAGS.ACK,
        win: 501,
        options: ackOpts,
      }),
    ),
    v4(
      6,
      tcp({
        sport: 51000,
        dport: 80,
        seq: isnC + 1,
        ack: isnS + 1 + res.length,
        flags: FLAGS.PSH | FLAGS.ACK,
        win: 501,
        options: ackOpts,
        payload: req,
      }),
    ),
    v4(
      6,
      tcp({
        sport: 51000,
        dport: 80,
        seq: isnC + 1 + req.length,
        ack: isnS + 1 + res.length,
        flags: FLAGS.FIN | FLAGS.ACK,
        win: 501,
        options: ackOpts,
      }),
    ),
    v4r(
      6,
      tcp({
        sport: 80,
        dport: 51000,
        seq: isnS + 1 + res.length,
        ack: isnC + 2 + req.length,
        flags: FLAGS.FIN | FLAGS.ACK,
        win: 255,
        options: ackOpts,
      }),
    ),
    v4(
      6,
      tcp({
        sport: 51000,
        dport: 80,
        seq: isnC + 2 + req.length,
        ack: isnS + 2 + res.length,
        flags: FLAGS.ACK,
        win: 501,
        options: ackOpts,
      }),
    ),
    v4(17, udp(53001, 53, new Uint8Array(dnsQuery(0x1234)))),
    v4r(17, udp(53, 53001, new Uint8Array(dnsResponse(0x1234)))),
    v4(1, icmpEcho(8, 0x77, 1)),
    v4r(1, icmpEcho(0, 0x77, 1)),
    v4(17, udp(40000, 9999, 'hello')),
    v4(6, tcp({ sport: 40001, dport: 22, seq: 5, flags: FLAGS.FIN | FLAGS.PSH | FLAGS.URG, win: 1024, urg: 0 })),
    v4(6, tcp({ sport: 40001, dport: 23, seq: 5, flags: 0, win: 1024 })),
    v4r(6, tcp({ sport: 23, dport: 40001, seq: 0, ack: 6, flags: FLAGS.RST | FLAGS.ACK, win: 0 })),
    v4(17, udp(40002, 7777, 'x'.repeat(40)), { id: 0x4242, moreFragments: true }),
    v4(6, tcp({ sport: 40003, dport: 8080, seq: 77, ack: 88, flags: FLAGS.ACK, win: 100, payload: 'mid-stream data' })),
    v4r(1, icmpError(3, 3, ipv4({ src: C, dst: S, proto: 17 }, udp(40000, 9999, 'hello')))),
    v4r(1, icmpError(11, 0, ipv4({ src: C, dst: S, proto: 17, ttl: 1 }, udp(40004, 33434, 'trace')))),
  ];
}

export function scenarioV6(): NetPacket[] {
  const a = '2001:db8::10';
  const b = '2001:db8:0:1::80';
  const hopByHop = [0, 1, 4, 0, 0, 0, 0];
  return [
    {
      version: 6,
      bytes: ipv6(
        a,
        b,
        6,
        tcp({
          sport: 52000,
          dport: 80,
          seq: 9,
          flags: FLAGS.SYN,
          win: 64800,
          options: [...OPT.mss(1440), ...OPT.nop(), ...OPT.ws(2), ...OPT.sackPerm()],
        }),
        64,
        [hopByHop],
      ),
    },
    {
      version: 6,
      bytes: ipv6(
        b,
        a,
        6,
        tcp({
          sport: 80,
          dport: 52000,
          seq: 99,
          ack: 10,
          flags: FLAGS.SYN | FLAGS.ACK,
          win: 64800,
          options: [...OPT.mss(1440), ...OPT.nop(), ...OPT.ws(3), ...OPT.sackPerm()],
        }),
      ),
    },
    {
      version: 6,
      bytes: ipv6(a, b, 6, tcp({ sport: 52000, dport: 80, seq: 10, ack: 100, flags: FLAGS.ACK, win: 300 })),
    },
    { version: 6, bytes: ipv6(a, b, 58, v6Checksummed(a, b, 58, icmpEcho(128, 0x10, 3), 2)) },
    { version: 6, bytes: ipv6(b, a, 58, v6Checksummed(b, a, 58, icmpEcho(129, 0x10, 3), 2)) },
    {
      version: 6,
      bytes: ipv6(
        '::1',
        '::ffff:10.0.0.1',
        17,
        v6Checksummed('::1', '::ffff:10.0.0.1', 17, udp(5000, 6000, 'v6 data'), 6),
      ),
    },
    { version: 6, bytes: ipv6('fe80::1', '::10.1.2.3', 17, udp(5001, 6001, 'zero checksum')) },
    ...neighborDiscovery(),
  ];
}

/** An ICMP error quoting the offending datagram, with a correct checksum. */
function icmpError(type: number, code: number, quoted: number[]): number[] {
  const m = [type, code, 0, 0, 0, 0, 0, 0, ...quoted];
  const c = checksum(m);
  m[2] = c >> 8;
  m[3] = c & 0xff;
  return m;
}

/** Time the packets 1.5 ms apart from a fixed start, with nanosecond detail. */
export function timed(data: number[][], start = 1_700_000_000): Packet[] {
  return data.map((d, i) => ({
    data: d,
    sec: start + Math.floor(i / 3),
    nsec: ((i % 3) * 1_500_123 + 7) % 1_000_000_000,
  }));
}

const LL_A = [0x00, 0x11, 0x22, 0x33, 0x44, 0x55];
const LL_B = [0x02, 0x42, 0xac, 0x11, 0x00, 0x02];

/** Router and neighbor solicitations and advertisements, with link-layer address options. */
function neighborDiscovery(): NetPacket[] {
  const a = 'fe80::211:22ff:fe33:4455';
  const b = 'fe80::42:acff:fe11:2';
  const target = ipv6Bytes(b);
  const msg = (src: string, dst: string, body: number[]): NetPacket => ({
    version: 6,
    bytes: ipv6(src, dst, 58, v6Checksummed(src, dst, 58, body, 2), 255),
  });
  return [
    msg(a, 'ff02::2', [133, 0, 0, 0, 0, 0, 0, 0, 1, 1, ...LL_A]),
    msg(b, 'ff02::1', [134, 0, 0, 0, 64, 0, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, ...LL_B]),
    msg(a, 'ff02::1:ff11:2', [135, 0, 0, 0, 0, 0, 0, 0, ...target, 1, 1, ...LL_A]),
    msg(b, a, [136, 0, 0, 0, 0xe0, 0, 0, 0, ...target, 2, 1, ...LL_B]),
    msg(b, a, [136, 0, 0, 0, 0x40, 0, 0, 0, ...target]),
  ];
}

/**
 * One HTTP exchange on port 80, each message in one segment (SYN, SYN-ACK, ACK, request,
 * response): for checking what the packet log says of a request or a response.
 */
export function httpExchange(
  clientPort: number,
  request: Uint8Array | string,
  response: Uint8Array | string,
): NetPacket[] {
  const req = typeof request === 'string' ? Buffer.from(request, 'latin1') : request;
  const isnC = 100;
  const isnS = 5000;
  return [
    v4(6, tcp({ sport: clientPort, dport: 80, seq: isnC, flags: FLAGS.SYN })),
    v4r(6, tcp({ sport: 80, dport: clientPort, seq: isnS, ack: isnC + 1, flags: FLAGS.SYN | FLAGS.ACK })),
    v4(6, tcp({ sport: clientPort, dport: 80, seq: isnC + 1, ack: isnS + 1, flags: FLAGS.ACK })),
    v4(
      6,
      tcp({ sport: clientPort, dport: 80, seq: isnC + 1, ack: isnS + 1, flags: FLAGS.ACK | FLAGS.PSH, payload: req }),
    ),
    v4r(
      6,
      tcp({
        sport: 80,
        dport: clientPort,
        seq: isnS + 1,
        ack: isnC + 1 + req.length,
        flags: FLAGS.ACK | FLAGS.PSH,
        payload: response,
      }),
    ),
  ];
}
