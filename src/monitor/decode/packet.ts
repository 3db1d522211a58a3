import { type Frame, ownFrame } from '../capture/frame.js';
import type { Ipv4Texts } from './address.js';
import { type ArpPacket, decodeArp } from './arp.js';
import { decodeIcmp, type IcmpHeader } from './icmp.js';
import { decodeIpv4, decodeIpv6, type IpLayer } from './ip.js';
import { decodeLink, type LinkLayer } from './link.js';
import { newTcpHeader, readTcp, type TcpHeader } from './tcp.js';
import { newUdpHeader, readUdp, type UdpHeader } from './udp.js';

export const IP_PROTOCOL = { ICMP: 1, TCP: 6, UDP: 17, ICMPV6: 58 } as const;

/** The transport layer: one of the protocols we decode, or none (fragment, other protocol, error). */
export type Transport =
  | { readonly kind: 'tcp'; readonly tcp: TcpHeader }
  | { readonly kind: 'udp'; readonly udp: UdpHeader }
  | { readonly kind: 'icmp'; readonly icmp: IcmpHeader }
  | { readonly kind: 'none' };

export interface DecodedPacket {
  readonly frame: Frame;
  readonly link: LinkLayer;
  readonly ip: IpLayer | null;
  readonly arp: ArpPacket | null;
  readonly transport: Transport;
  /** The transport payload as captured (may be shorter than the header says when snapped). */
  readonly payload: Uint8Array;
  /** The first problem met while decoding; the layers above it are absent. */
  readonly error: string | null;
}

const NONE: Transport = { kind: 'none' };
const EMPTY = new Uint8Array(0);

/**
 * Decode a frame down to its transport payload. Pure (but for `texts`, a reader's cache of
 * IPv4 address texts); never throws on short or odd packets.
 */
export function decodePacket(frame: Frame, texts?: Ipv4Texts): DecodedPacket {
  const b = frame.data;
  const link = decodeLink(frame.linkType, b);
  if (link.error) return result(frame, link, null, null, NONE, EMPTY, link.error);
  if (link.payload === 'arp') {
    const arp = decodeArp(b, link.offset);
    return 'error' in arp
      ? result(frame, link, null, null, NONE, EMPTY, arp.error)
      : result(frame, link, null, arp, NONE, EMPTY, null);
  }
  if (link.payload === 'other') return result(frame, link, null, null, NONE, EMPTY, null);
  const ip = link.payload === 'ipv4' ? decodeIpv4(b, link.offset, texts) : decodeIpv6(b, link.offset);
  if (!('version' in ip)) return result(frame, link, null, null, NONE, EMPTY, ip.error);
  if (ip.error || ip.fragmentOffset !== 0 || ip.moreFragments) {
    return result(frame, link, ip, null, NONE, EMPTY, ip.error);
  }
  return withTransport(frame, link, ip);
}

/**
 * The whole datagram that the fragment `last` completed (./ipFragments.ts), decoded down to its
 * transport payload. Its frame is `last`'s with the reassembled payload after the headers, so
 * whatever reads the frame's bytes at the decoded offsets finds them there; number, time and
 * wire length stay the completing fragment's, as in tshark's line for it.
 */
export function decodeReassembled(last: DecodedPacket, payload: Uint8Array): DecodedPacket {
  const fragmentIp = last.ip as IpLayer;
  const headers = last.frame.data.subarray(0, fragmentIp.payloadOffset);
  const data = new Uint8Array(headers.length + payload.length);
  data.set(headers, 0);
  data.set(payload, headers.length);
  const frame: Frame = ownFrame({ ...last.frame, data });
  const ip: IpLayer = { ...fragmentIp, fragmentOffset: 0, moreFragments: false, payloadLength: payload.length };
  return withTransport(frame, last.link, ip);
}

function withTransport(frame: Frame, link: LinkLayer, ip: IpLayer): DecodedPacket {
  const b = frame.data;
  const at = ip.payloadOffset;
  const length = ip.payloadLength;
  switch (ip.protocol) {
    case IP_PROTOCOL.TCP: {
      const tcp = newTcpHeader();
      const failure = readTcp(tcp, b, at, length);
      return carried(frame, link, ip, failure, { kind: 'tcp', tcp }, tcp.payloadOffset, tcp.payloadLength, tcp.error);
    }
    case IP_PROTOCOL.UDP: {
      const udp = newUdpHeader();
      const failure = readUdp(udp, b, at, length);
      return carried(frame, link, ip, failure, { kind: 'udp', udp }, udp.payloadOffset, udp.payloadLength, udp.error);
    }
    case IP_PROTOCOL.ICMP:
    case IP_PROTOCOL.ICMPV6: {
      const icmp = decodeIcmp(ip.version, b, at, length);
      if ('error' in icmp) return carried(frame, link, ip, icmp.error, NONE, 0, 0, null);
      return carried(frame, link, ip, null, { kind: 'icmp', icmp }, icmp.payloadOffset, icmp.payloadLength, null);
    }
    default:
      return result(frame, link, ip, null, NONE, slice(b, at, length), null);
  }
}

/**
 * The packet over its transport header, read from `payloadOffset`; or, when `failure` stopped the
 * header's reading, the packet without a transport.
 */
function carried(
  frame: Frame,
  link: LinkLayer,
  ip: IpLayer,
  failure: string | null,
  transport: Transport,
  payloadOffset: number,
  payloadLength: number,
  error: string | null,
): DecodedPacket {
  if (failure !== null) return result(frame, link, ip, null, NONE, EMPTY, failure);
  return result(frame, link, ip, null, transport, slice(frame.data, payloadOffset, payloadLength), error);
}

function slice(b: Uint8Array, at: number, length: number): Uint8Array {
  // No view for an empty payload (a pure ACK, most TCP segments): one object less per packet.
  if (length <= 0 || at >= b.length) return EMPTY;
  return b.subarray(at, Math.min(b.length, at + length));
}

function result(
  frame: Frame,
  link: LinkLayer,
  ip: IpLayer | null,
  arp: ArpPacket | null,
  transport: Transport,
  payload: Uint8Array,
  error: string | null,
): DecodedPacket {
  return { frame, link, ip, arp, transport, payload, error };
}
