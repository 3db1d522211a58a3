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
  /** `payload.length`, without making the view. */
  readonly payloadSize: number;
  /** The first problem met while decoding; the layers above it are absent. */
  readonly error: string | null;
}

const NONE: Transport = { kind: 'none' };
const EMPTY = new Uint8Array(0);

/**
 * Every DecodedPacket, the decoder's refilled one (./packetDecoder.ts) and those of their own
 * alike (one class: the readers' property accesses see one shape). Its payload is the frame's
 * record from `from` to `to`, and its view is made on first read only: the TCP path reads the
 * frame's bytes at the transport header's offsets, so a segment costs no view.
 */
export class Packet implements DecodedPacket {
  frame: Frame;
  link: LinkLayer;
  ip: IpLayer | null;
  arp: ArpPacket | null;
  transport: Transport;
  error: string | null;
  /** The payload, [#from, #to) of the frame's record; its view once made. */
  #from = 0;
  #to = 0;
  #payload: Uint8Array | null = EMPTY;

  constructor(
    frame: Frame,
    link: LinkLayer,
    ip: IpLayer | null,
    arp: ArpPacket | null,
    transport: Transport,
    error: string | null,
  ) {
    this.frame = frame;
    this.link = link;
    this.ip = ip;
    this.arp = arp;
    this.transport = transport;
    this.error = error;
  }

  get payload(): Uint8Array {
    if (this.#payload === null) {
      const f = this.frame;
      this.#payload = f.bytes.subarray(f.start + this.#from, f.start + this.#to);
    }
    return this.#payload;
  }

  get payloadSize(): number {
    return this.#to - this.#from;
  }

  /**
   * The payload: `length` bytes at `at` of the frame's record, as far as it was captured; no
   * view is made for an empty one (a pure ACK, most TCP segments), nor until it is read.
   */
  carry(at: number, length: number): void {
    const size = this.frame.end - this.frame.start;
    if (length <= 0 || at >= size) {
      this.#from = 0;
      this.#to = 0;
      this.#payload = EMPTY;
      return;
    }
    this.#from = at;
    this.#to = Math.min(size, at + length);
    this.#payload = null;
  }
}

/**
 * Decode a frame down to its transport payload. Pure (but for `texts`, a reader's cache of
 * IPv4 address texts); never throws on short or odd packets.
 */
export function decodePacket(frame: Frame, texts?: Ipv4Texts): DecodedPacket {
  const b = frame.data;
  const link = decodeLink(frame.linkType, b);
  if (link.error) return new Packet(frame, link, null, null, NONE, link.error);
  if (link.payload === 'arp') {
    const arp = decodeArp(b, link.offset);
    return 'error' in arp
      ? new Packet(frame, link, null, null, NONE, arp.error)
      : new Packet(frame, link, null, arp, NONE, null);
  }
  if (link.payload === 'other') return new Packet(frame, link, null, null, NONE, null);
  const ip = link.payload === 'ipv4' ? decodeIpv4(b, link.offset, texts) : decodeIpv6(b, link.offset);
  if (!('version' in ip)) return new Packet(frame, link, null, null, NONE, ip.error);
  if (ip.error || ip.fragmentOffset !== 0 || ip.moreFragments) {
    return new Packet(frame, link, ip, null, NONE, ip.error);
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
      return carried(frame, link, ip, null, NONE, at, length, null);
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
  if (failure !== null) return new Packet(frame, link, ip, null, NONE, failure);
  const p = new Packet(frame, link, ip, null, transport, error);
  p.carry(payloadOffset, payloadLength);
  return p;
}
