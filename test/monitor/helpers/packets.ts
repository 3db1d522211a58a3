import { type Frame, ownFrame } from '../../../src/monitor/capture/frame.js';
import type { Monitor } from '../../../src/monitor/monitor.js';
/** Hand-built packets for tests: every layer written byte by byte, checksums left zero. */

export function ipv4Bytes(a: string): number[] {
  return a.split('.').map(Number);
}

export function ipv6Bytes(a: string): number[] {
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (dotted) {
    const v4 = ipv4Bytes(dotted[2] as string);
    const hex = `${dotted[1]}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
    return ipv6Bytes(hex);
  }
  const [head, tail] = a.includes('::') ? a.split('::') : [a, ''];
  const h = (head ?? '').split(':').filter((x) => x !== '');
  const t = (tail ?? '').split(':').filter((x) => x !== '');
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t].map((g) => Number.parseInt(g, 16));
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

const u16 = (n: number): number[] => [(n >> 8) & 0xff, n & 0xff];
const u32 = (n: number): number[] => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];

export const FLAGS = { FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16, URG: 32, ECE: 64, CWR: 128 } as const;

export interface TcpSpec {
  sport: number;
  dport: number;
  seq: number;
  ack?: number;
  flags: number;
  win?: number;
  urg?: number;
  /** Raw option bytes (padded to 4 here). */
  options?: number[];
  payload?: Uint8Array | string;
}

export function bytesOf(p: Uint8Array | string | undefined): number[] {
  if (p === undefined) return [];
  return [...(typeof p === 'string' ? Buffer.from(p, 'latin1') : p)];
}

export function tcp(s: TcpSpec): number[] {
  const opts = [...(s.options ?? [])];
  while (opts.length % 4 !== 0) opts.push(0);
  const hl = 20 + opts.length;
  return [
    ...u16(s.sport),
    ...u16(s.dport),
    ...u32(s.seq),
    ...u32(s.ack ?? 0),
    (hl / 4) << 4,
    s.flags & 0xff,
    ...u16(s.win ?? 65535),
    0,
    0,
    ...u16(s.urg ?? 0),
    ...opts,
    ...bytesOf(s.payload),
  ];
}

export const OPT = {
  mss: (v: number) => [2, 4, ...u16(v)],
  ws: (shift: number) => [3, 3, shift],
  sackPerm: () => [4, 2],
  ts: (val: number, ecr: number) => [8, 10, ...u32(val), ...u32(ecr)],
  nop: () => [1],
  sack: (blocks: Array<[number, number]>) => [
    5,
    2 + 8 * blocks.length,
    ...blocks.flatMap(([l, r]) => [...u32(l), ...u32(r)]),
  ],
};

export function udp(sport: number, dport: number, payload: Uint8Array | string = ''): number[] {
  const body = bytesOf(payload);
  return [...u16(sport), ...u16(dport), ...u16(8 + body.length), 0, 0, ...body];
}

/** The Internet checksum (RFC 1071) of `bytes`. */
export function checksum(bytes: number[]): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += ((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** ICMP echo request (8) or reply (0) with a correct checksum (tshark pairs only valid ones). */
export function icmpEcho(type: number, id: number, seq: number, data = 'abcdefgh'): number[] {
  const m = [type, 0, 0, 0, ...u16(id), ...u16(seq), ...bytesOf(data)];
  const c = checksum(m);
  m[2] = c >> 8;
  m[3] = c & 0xff;
  return m;
}

export interface Ipv4Spec {
  src: string;
  dst: string;
  proto: number;
  ttl?: number;
  id?: number;
  fragOffset?: number;
  moreFragments?: boolean;
}

export function ipv4(s: Ipv4Spec, payload: number[]): number[] {
  const total = 20 + payload.length;
  const frag = ((s.moreFragments ? 0x2000 : 0) | ((s.fragOffset ?? 0) / 8)) & 0xffff;
  return [
    0x45,
    0,
    ...u16(total),
    ...u16(s.id ?? 1),
    ...u16(s.moreFragments || s.fragOffset ? frag : 0x4000),
    s.ttl ?? 64,
    s.proto,
    0,
    0,
    ...ipv4Bytes(s.src),
    ...ipv4Bytes(s.dst),
    ...payload,
  ];
}

/** IPv6 with optional extension headers given as [nextHeaderCode, bytes-after-the-first-two]. */
export function ipv6(
  src: string,
  dst: string,
  proto: number,
  payload: number[],
  hopLimit = 64,
  ext: number[][] = [],
): number[] {
  const codes = [...ext.map((e) => e[0] as number), proto];
  let chain: number[] = [];
  for (let i = 0; i < ext.length; i++) {
    const body = (ext[i] as number[]).slice(1);
    // Header: next header, length in 8-octet units beyond the first, then body padded to 8n - 2.
    const padded = [...body];
    while ((padded.length + 2) % 8 !== 0) padded.push(0);
    chain = [...chain, codes[i + 1] as number, (padded.length + 2) / 8 - 1, ...padded];
  }
  const inner = [...chain, ...payload];
  return [
    0x60,
    0,
    0,
    0,
    ...u16(inner.length),
    codes[0] as number,
    hopLimit,
    ...ipv6Bytes(src),
    ...ipv6Bytes(dst),
    ...inner,
  ];
}

export const MAC_A = [0x00, 0x11, 0x22, 0x33, 0x44, 0x55];
export const MAC_B = [0x02, 0x42, 0xac, 0x11, 0x00, 0x02];

export function ethernet(type: number, payload: number[], vlan?: number): number[] {
  const tag = vlan === undefined ? [] : [0x81, 0x00, ...u16(vlan), ...u16(type)];
  return [...MAC_B, ...MAC_A, ...(vlan === undefined ? u16(type) : tag), ...payload];
}

/** BSD loopback: family in little-endian host order (DLT_NULL). */
export function nullLink(family: number, payload: number[]): number[] {
  return [family & 0xff, (family >> 8) & 0xff, 0, 0, ...payload];
}

export function sll(type: number, payload: number[]): number[] {
  return [0, 0, 0, 1, 0, 6, ...MAC_A, 0, 0, ...u16(type), ...payload];
}

export function sll2(type: number, payload: number[]): number[] {
  return [...u16(type), 0, 0, 0, 0, 0, 1, 0, 1, 0, 6, ...MAC_A, 0, 0, ...payload];
}

/** Fill in the checksum of an ICMPv6 or UDP-over-IPv6 message (pseudo-header of RFC 8200 §8.1). */
export function v6Checksummed(src: string, dst: string, proto: number, l4: number[], checksumAt: number): number[] {
  const m = [...l4];
  m[checksumAt] = 0;
  m[checksumAt + 1] = 0;
  const pseudo = [...ipv6Bytes(src), ...ipv6Bytes(dst), ...u32(m.length), 0, 0, 0, proto];
  const c = checksum([...pseudo, ...m]);
  m[checksumAt] = c >> 8;
  m[checksumAt + 1] = c & 0xff;
  return m;
}

/**
 * A frame of its own holding `data`: microsecond time, its length on the wire its captured
 * length; number 1, time 0 and Ethernet unless `fields` says otherwise.
 */
export function testFrame(
  data: Uint8Array,
  fields: Partial<Pick<Frame, 'number' | 'seconds' | 'fraction' | 'linkType'>> = {},
): Frame {
  return ownFrame({
    number: fields.number ?? 1,
    offset: 0,
    seconds: fields.seconds ?? 0,
    fraction: fields.fraction ?? 0,
    precision: 6,
    linkType: fields.linkType ?? 1,
    originalLength: data.length,
    data,
  });
}

/** Raw-IP packets (link type 101) into a Monitor, one per 10 ms, then the end of input. */
export function feedRawIp(monitor: Monitor, packets: readonly number[][]): void {
  packets.forEach((data, i) => {
    monitor.frame(
      testFrame(Uint8Array.from(data), {
        number: i + 1,
        seconds: 1_700_000_000 + Math.floor(i / 100),
        fraction: (i % 100) * 10_000,
        linkType: 101,
      }),
    );
  });
  monitor.end();
}

/**
 * One HTTP exchange over IPv4 as raw IP packets: handshake, the request, the response, and both
 * FINs (client seq 100, server seq 500; the server on port 80).
 */
export function httpExchangePackets(o: {
  readonly client: string;
  readonly server: string;
  readonly clientPort: number;
  readonly request: string;
  readonly response: string;
}): number[][] {
  const { client, server, clientPort, request: req, response: res } = o;
  const c = (spec: Omit<TcpSpec, 'sport' | 'dport'>) =>
    ipv4({ src: client, dst: server, proto: 6 }, tcp({ sport: clientPort, dport: 80, ...spec }));
  const s = (spec: Omit<TcpSpec, 'sport' | 'dport'>) =>
    ipv4({ src: server, dst: client, proto: 6 }, tcp({ sport: 80, dport: clientPort, ...spec }));
  return [
    c({ seq: 100, flags: FLAGS.SYN }),
    s({ seq: 500, ack: 101, flags: FLAGS.SYN | FLAGS.ACK }),
    c({ seq: 101, ack: 501, flags: FLAGS.PSH | FLAGS.ACK, payload: req }),
    s({ seq: 501, ack: 101 + req.length, flags: FLAGS.PSH | FLAGS.ACK, payload: res }),
    c({ seq: 101 + req.length, ack: 501 + res.length, flags: FLAGS.FIN | FLAGS.ACK }),
    s({ seq: 501 + res.length, ack: 102 + req.length, flags: FLAGS.FIN | FLAGS.ACK }),
  ];
}
