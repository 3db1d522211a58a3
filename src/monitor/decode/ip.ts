import { type Ipv4Texts, ipv4Text, ipv6Text } from './address.js';

/** The network layer of one packet, IPv4 or IPv6, with where its payload lies. */
export interface IpLayer {
  readonly version: 4 | 6;
  readonly source: string;
  readonly destination: string;
  /** Upper-layer protocol number (after IPv6 extension headers). */
  readonly protocol: number;
  readonly ttl: number;
  /** IPv4 identification, or the IPv6 fragment header's identification (0 when none). */
  readonly id: number;
  /** Fragment offset in bytes; with `moreFragments`, flags a fragment. */
  readonly fragmentOffset: number;
  readonly moreFragments: boolean;
  readonly fragmented: boolean;
  /** Offset of the upper-layer header in the frame, and its length per the IP header. */
  readonly payloadOffset: number;
  readonly payloadLength: number;
  /** Length of the IP datagram per its header (IPv4 total length, IPv6 40 + payload length). */
  readonly totalLength: number;
  readonly error: string | null;
}

const IPV6_EXTENSIONS = new Set([0, 43, 44, 50, 51, 60, 135, 139, 140, 253, 254]);

/** An IpLayer a decoder refills packet after packet (./packetDecoder.ts). */
export type MutableIpLayer = { -readonly [K in keyof IpLayer]: IpLayer[K] };

/** A blank IpLayer, its fields in the order every IpLayer has them (one hidden class for all). */
export function newIpLayer(): MutableIpLayer {
  return {
    version: 4,
    source: '',
    destination: '',
    protocol: 0,
    ttl: 0,
    id: 0,
    fragmentOffset: 0,
    moreFragments: false,
    fragmented: false,
    payloadOffset: 0,
    payloadLength: 0,
    totalLength: 0,
    error: null,
  };
}

/** `texts`, when given, is the reader's cache of address texts. */
export function decodeIpv4(b: Uint8Array, at: number, texts?: Ipv4Texts): IpLayer | { error: string } {
  const ip = newIpLayer();
  const error = readIpv4(ip, b, at, texts);
  return error === null ? ip : { error };
}

/**
 * Read the IPv4 header at `at` into `ip`: null when it was read (a problem the layers above
 * may live with is then `ip.error`), else the problem that stops decoding, `ip` left as it was.
 * The frame's bytes end at `end`. Offsets set are `b`'s.
 */
export function readIpv4(
  ip: MutableIpLayer,
  b: Uint8Array,
  at: number,
  texts?: Ipv4Texts,
  end = b.length,
): string | null {
  if (end < at + 20) return `IPv4 header needs 20 bytes, ${Math.max(0, end - at)} captured`;
  const ihl = ((b[at] as number) & 0x0f) * 4;
  if ((b[at] as number) >> 4 !== 4) return 'IPv4 version field is not 4';
  if (ihl < 20) return `IPv4 header length ${ihl} is below 20`;
  if (end < at + ihl) return `IPv4 header with options needs ${ihl} bytes`;
  const totalLength = ((b[at + 2] as number) << 8) | (b[at + 3] as number);
  const flagsFrag = ((b[at + 6] as number) << 8) | (b[at + 7] as number);
  const fragmentOffset = (flagsFrag & 0x1fff) * 8;
  const moreFragments = (flagsFrag & 0x2000) !== 0;
  // TSO captures carry total length 0; tshark then takes the length from the frame.
  const datagram = totalLength === 0 ? end - at : totalLength;
  ip.version = 4;
  ip.source = texts ? texts.text(b, at + 12) : ipv4Text(b, at + 12);
  ip.destination = texts ? texts.text(b, at + 16) : ipv4Text(b, at + 16);
  ip.protocol = b[at + 9] as number;
  ip.ttl = b[at + 8] as number;
  ip.id = ((b[at + 4] as number) << 8) | (b[at + 5] as number);
  ip.fragmentOffset = fragmentOffset;
  ip.moreFragments = moreFragments;
  ip.fragmented = fragmentOffset !== 0 || moreFragments;
  ip.payloadOffset = at + ihl;
  ip.payloadLength = Math.max(0, datagram - ihl);
  ip.totalLength = datagram;
  ip.error = datagram < ihl ? `IPv4 total length ${totalLength} is below the header length ${ihl}` : null;
  return null;
}

export function decodeIpv6(b: Uint8Array, at: number): IpLayer | { error: string } {
  if (b.length < at + 40) return { error: `IPv6 header needs 40 bytes, ${Math.max(0, b.length - at)} captured` };
  if ((b[at] as number) >> 4 !== 6) return { error: 'IPv6 version field is not 6' };
  const payloadLength = ((b[at + 4] as number) << 8) | (b[at + 5] as number);
  let next = b[at + 6] as number;
  let p = at + 40;
  const end = at + 40 + payloadLength;
  let id = 0;
  let fragmentOffset = 0;
  let moreFragments = false;
  let fragmented = false;
  let error: string | null = null;
  // Walk the extension headers; stop at the first upper-layer protocol or at a fragment that is not the first.
  while (IPV6_EXTENSIONS.has(next) && next !== 50) {
    if (b.length < p + 8) {
      error = 'IPv6 extension header truncated';
      break;
    }
    const following = b[p] as number;
    if (next === 44) {
      const fo = ((b[p + 2] as number) << 8) | (b[p + 3] as number);
      fragmentOffset = fo & 0xfff8;
      moreFragments = (fo & 1) === 1;
      fragmented = true;
      id = new DataView(b.buffer, b.byteOffset + p + 4, 4).getUint32(0, false);
      p += 8;
      next = following;
      if (fragmentOffset !== 0) break;
      continue;
    }
    const len = next === 51 ? ((b[p + 1] as number) + 2) * 4 : ((b[p + 1] as number) + 1) * 8;
    p += len;
    next = following;
  }
  return {
    version: 6,
    source: ipv6Text(b, at + 8),
    destination: ipv6Text(b, at + 24),
    protocol: next,
    ttl: b[at + 7] as number,
    id,
    fragmentOffset,
    moreFragments,
    fragmented,
    payloadOffset: p,
    payloadLength: Math.max(0, end - p),
    totalLength: 40 + payloadLength,
    error,
  };
}
