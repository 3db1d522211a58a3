import type { IpLayer } from '../decode/ip.js';
import { LINKTYPE, macAt } from '../decode/link.js';
import type { DecodedPacket, Transport } from '../decode/packet.js';
import type { PacketLine } from '../evidence/packetRecord.js';
import { LivePacket } from '../tcp/livePacket.js';
import type { TcpSegment } from '../tcp/tcpSegment.js';
import { type Columns, writeHead } from './columns.js';
import { arpColumns } from './info/arp.js';
import { writeDnsInfo } from './info/dns.js';
import { EchoTracker, icmpColumns } from './info/icmp.js';
import { igmpColumns } from './info/igmp.js';
import { fragmentColumns, ipProtocolName } from './info/ip.js';
import { switchProtocolColumns } from './info/switchProtocols.js';
import { type DnsColumns, udpColumns } from './info/udp.js';
import { LineBuffer } from './lineBuffer.js';
import type { MacNames } from './names.js';
import { writeTcpLine } from './tcpLine.js';

export interface PacketLogOptions {
  /** Names for Ethernet addresses of non-IP frames (tshark resolves them by default). */
  readonly macNames?: MacNames;
}

/**
 * The packet log: one line per frame in tshark's default summary format. A renderer: TCP
 * segments come read by the conversation table (../tcp/conversations.ts), whose sequence
 * analysis and protocol events it words as tshark would; what it keeps itself is what tshark's
 * single pass keeps for the other protocols (ICMP echo pairs).
 */
export class PacketLog {
  readonly #echoes = new EchoTracker();
  /** Where `line` renders a line to read it back. */
  readonly #scratch = new LineBuffer();
  /** Where TCP's text is made when it is part of another Info (./tcpColumns.ts). */
  readonly #tcpText = new LineBuffer();
  readonly #macNames: MacNames | undefined;
  /** The record of a TCP segment `write` is given. */
  readonly #packet = new LivePacket();
  /** `#mac` as a function (DHCP names its client's address), made once. */
  readonly #macName = (mac: string): string => this.#mac(mac);

  constructor(options: PacketLogOptions = {}) {
    this.#macNames = options.macNames;
  }

  /**
   * Write the log line of one frame to `out`, without its line end (frames must come in capture
   * order); `ns` is its time since the capture's first frame, `tcp` what the conversation table
   * read of it when it is TCP.
   */
  write(out: LineBuffer, p: DecodedPacket, ns: number, tcp: TcpSegment | null): void {
    const f = p.frame;
    const ip = p.ip;
    if (!ip) {
      const source = this.#mac(macAt(f.data, p.link.sourceMacAt));
      const destination = this.#mac(macAt(f.data, p.link.destinationMacAt));
      const c = p.arp ? arpColumns(p.arp) : linkOnlyColumns(p);
      writeHead(out, f.number, ns, f.precision, source, destination, c.protocol, f.originalLength);
      out.text(c.info);
      return;
    }
    const t = p.transport;
    if (t.kind === 'tcp' && !isFragment(ip)) {
      this.tcp(out, this.#packet.fill(p, t.tcp, tcp as TcpSegment, ns));
      return;
    }
    const c = isFragment(ip) || t.kind === 'tcp' ? fragmentColumns(ip) : this.#ipColumns(p, ip, t);
    writeHead(out, f.number, ns, f.precision, ip.source, ip.destination, c.protocol, f.originalLength);
    if (c.info === null) writeDnsInfo(out, p.payload, c.mdns);
    else out.text(c.info);
  }

  /** The line of a TCP segment (not a fragment) from its record, as `write` writes it. */
  tcp(out: LineBuffer, packet: PacketLine): void {
    writeTcpLine(out, packet, this.#tcpText);
  }

  /** The log line of one frame as text (as `write`). */
  line(p: DecodedPacket, ns: number, tcp: TcpSegment | null): string {
    const scratch = this.#scratch;
    scratch.clear();
    this.write(scratch, p, ns, tcp);
    return scratch.textFrom(0);
  }

  /** The columns of an IP packet other than a TCP segment. */
  #ipColumns(p: DecodedPacket, ip: IpLayer, t: Exclude<Transport, { kind: 'tcp' }>): Columns | DnsColumns {
    switch (t.kind) {
      case 'udp': {
        const illegalZero = ip.version === 6 && t.udp.checksum === 0;
        return udpColumns(t.udp, ip.payloadLength, p.payload, illegalZero, this.#macName);
      }
      case 'icmp':
        return icmpColumns(p, ip, t.icmp, this.#echoes);
      default:
        if (!p.error && ip.protocol === 2) {
          const igmp = igmpColumns(p.payload);
          if (igmp) return igmp;
        }
        return {
          protocol: p.error ? (ip.version === 4 ? 'IPv4' : 'IPv6') : ipProtocolName(ip.protocol),
          info: p.error ?? '',
        };
    }
  }

  #mac(mac: string | null): string {
    if (!mac) return '';
    return this.#macNames ? this.#macNames.name(mac) : mac;
  }
}

/** A fragment of a datagram other than its whole (which ../decode/ipFragments.ts gives at its last fragment). */
export function isFragment(ip: IpLayer): boolean {
  return ip.fragmented && (ip.fragmentOffset !== 0 || ip.moreFragments);
}

function linkOnlyColumns(p: DecodedPacket): Columns {
  if (p.error) return { protocol: 'Malformed', info: p.error };
  if (p.link.protocol === 0x9000) return loopColumns(p);
  // A value of at most 1500 is an 802.3 length only in an Ethernet header (elsewhere it is an address family).
  if (p.link.protocol > 1500 || p.frame.linkType === LINKTYPE.ETHERNET) {
    const switchColumns = switchProtocolColumns(p.frame.data, p.link.offset, p.link.protocol);
    if (switchColumns) return switchColumns;
  }
  return { protocol: `0x${p.link.protocol.toString(16).padStart(4, '0')}`, info: 'Ethernet II' };
}

/** Ethernet Configuration Testing Protocol (Cisco keepalives): the function of its first message. */
function loopColumns(p: DecodedPacket): Columns {
  const b = p.frame.data;
  const at = p.link.offset + 2;
  const fn = at + 2 <= b.length ? (b[at] as number) | ((b[at + 1] as number) << 8) : -1;
  return { protocol: 'LOOP', info: fn === 1 ? 'Reply' : fn === 2 ? 'Forward Data' : 'Unknown function' };
}
