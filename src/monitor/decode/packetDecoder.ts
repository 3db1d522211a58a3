import type { Frame } from '../capture/frame.js';
import { Ipv4Texts } from './address.js';
import { newIpLayer, readIpv4 } from './ip.js';
import { LINKTYPE, type LinkLayer } from './link.js';
import { type DecodedPacket, decodePacket, IP_PROTOCOL, Packet, type Transport } from './packet.js';
import { newTcpHeader, readTcp } from './tcp.js';
import { newUdpHeader, readUdp } from './udp.js';

/** The link layer of every untagged Ethernet frame carrying IPv4 (what ./link.ts's decodeEthernet gives it). */
const ETHERNET_IPV4: LinkLayer = Object.freeze({
  payload: 'ipv4',
  offset: 14,
  protocol: 0x0800,
  sourceMacAt: 6,
  destinationMacAt: 0,
  vlans: Object.freeze([]) as readonly number[],
  error: null,
});

const EMPTY = new Uint8Array(0);

/**
 * Decodes a capture's frames one after another, the common case — an untagged Ethernet frame,
 * an unfragmented IPv4 datagram, TCP or UDP — into structures of its own, refilled for every
 * frame: no object per packet (a payload's view is made when it is read). Anything else goes through
 * `decodePacket`, which builds a packet of its own. What it returns is valid until the next
 * call: a reader that keeps a packet keeps its fields' values, never the packet.
 */
export class PacketDecoder {
  /** Address texts of this capture's recurring hosts (the same string objects packet after packet). */
  readonly texts = new Ipv4Texts();
  readonly #ip = newIpLayer();
  readonly #tcp = newTcpHeader();
  readonly #udp = newUdpHeader();
  readonly #tcpTransport: Transport = { kind: 'tcp', tcp: this.#tcp };
  readonly #udpTransport: Transport = { kind: 'udp', udp: this.#udp };
  /** ./packet.ts's class, as the packets of their own: one shape for both. */
  readonly #packet = new Packet(
    {
      number: 0,
      offset: 0,
      seconds: 0,
      fraction: 0,
      precision: 6,
      linkType: 1,
      originalLength: 0,
      data: EMPTY,
      bytes: EMPTY,
      start: 0,
      end: 0,
    },
    ETHERNET_IPV4,
    null,
    null,
    this.#tcpTransport,
    null,
  );

  decode(frame: Frame): DecodedPacket {
    // Read in the frame's bytes at its start: no view of the record is made (../capture/reusedFrame.ts).
    const b = frame.bytes;
    const base = frame.start;
    const end = frame.end;
    if (frame.linkType !== LINKTYPE.ETHERNET || end - base < 14 || b[base + 12] !== 0x08 || b[base + 13] !== 0x00) {
      return decodePacket(frame, this.texts);
    }
    const ip = this.#ip;
    if (readIpv4(ip, b, base + 14, this.texts, end) !== null || ip.error !== null || ip.fragmented) {
      return decodePacket(frame, this.texts);
    }
    // The packet's offsets are the frame's, as ./packet.ts's: `data[0]` is `bytes[base]`.
    ip.payloadOffset -= base;
    if (ip.protocol === IP_PROTOCOL.TCP) {
      const tcp = this.#tcp;
      if (readTcp(tcp, b, base + ip.payloadOffset, ip.payloadLength, end) !== null)
        return decodePacket(frame, this.texts);
      tcp.optionsOffset -= base;
      tcp.optionsEnd -= base;
      tcp.payloadOffset -= base;
      return this.#fill(frame, this.#tcpTransport, tcp.payloadOffset, tcp.payloadLength, tcp.error);
    }
    if (ip.protocol === IP_PROTOCOL.UDP) {
      const udp = this.#udp;
      if (readUdp(udp, b, base + ip.payloadOffset, ip.payloadLength, end) !== null)
        return decodePacket(frame, this.texts);
      udp.payloadOffset -= base;
      return this.#fill(frame, this.#udpTransport, udp.payloadOffset, udp.payloadLength, udp.error);
    }
    return decodePacket(frame, this.texts);
  }

  #fill(frame: Frame, transport: Transport, at: number, length: number, error: string | null): DecodedPacket {
    const p = this.#packet;
    p.frame = frame;
    p.ip = this.#ip;
    p.transport = transport;
    // Its view is made in the frame's bytes, when a reader asks for it (the TCP path does not).
    p.carry(at, length);
    p.error = error;
    return p;
  }
}
