import { ipv6Text, macText } from '../../decode/address.js';
import type { IcmpHeader } from '../../decode/icmp.js';
import type { IpLayer } from '../../decode/ip.js';
import type { DecodedPacket } from '../../decode/packet.js';
import type { Columns } from '../columns.js';

/** ICMP and ICMPv6 (Neighbor Discovery included) as tshark words them. */
const ICMP_TYPES: Readonly<Record<number, string>> = {
  0: 'Echo (ping) reply',
  3: 'Destination unreachable',
  4: 'Source quench (flow control)',
  5: 'Redirect',
  8: 'Echo (ping) request',
  9: 'Router advertisement',
  10: 'Router solicitation',
  11: 'Time-to-live exceeded',
  12: 'Parameter problem',
  13: 'Timestamp request',
  14: 'Timestamp reply',
  17: 'Address mask request',
  18: 'Address mask reply',
};
const UNREACHABLE = [
  'Network unreachable',
  'Host unreachable',
  'Protocol unreachable',
  'Port unreachable',
  'Fragmentation needed',
  'Source route failed',
  'Destination network unknown',
  'Destination host unknown',
  'Source host isolated',
  'Network administratively prohibited',
  'Host administratively prohibited',
  'Network unreachable for TOS',
  'Host unreachable for TOS',
  'Communication administratively filtered',
];
const TIME_EXCEEDED = ['Time to live exceeded in transit', 'Fragment reassembly time exceeded'];

const ICMPV6_TYPES: Readonly<Record<number, string>> = {
  1: 'Destination Unreachable',
  2: 'Packet Too Big',
  3: 'Time Exceeded',
  4: 'Parameter Problem',
  128: 'Echo (ping) request',
  129: 'Echo (ping) reply',
  130: 'Multicast Listener Query',
  131: 'Multicast Listener Report',
  132: 'Multicast Listener Done',
  133: 'Router Solicitation',
  134: 'Router Advertisement',
  135: 'Neighbor Solicitation',
  136: 'Neighbor Advertisement',
  137: 'Redirect',
  143: 'Multicast Listener Report Message v2',
};

/** Echo requests seen, so a reply can say `(request in N)`; bounded. */
export class EchoTracker {
  readonly #requests = new Map<string, number>();

  /**
   * An echo request (`request`) is remembered by its addresses, id and sequence; a reply to one
   * gets ` (request in N)`, anything else ''.
   */
  pair(ip: IpLayer, icmp: IcmpHeader, request: boolean, frame: number): string {
    const key = `${icmp.id}/${icmp.seq}`;
    if (request) {
      if (this.#requests.size > 65536) this.#requests.clear();
      this.#requests.set(`${ip.source}>${ip.destination}/${key}`, frame);
      return '';
    }
    const req = this.#requests.get(`${ip.destination}>${ip.source}/${key}`);
    return req === undefined ? '' : ` (request in ${req})`;
  }
}

/** An ICMP message's columns; `ip` is the packet's IP layer. */
export function icmpColumns(p: DecodedPacket, ip: IpLayer, icmp: IcmpHeader, echoes: EchoTracker): Columns {
  if (icmp.version === 6) return icmpv6Columns(p, ip, icmp, echoes);
  const name = ICMP_TYPES[icmp.type] ?? `Unknown ICMP (obsolete or malformed?)`;
  let info = name.padEnd(20);
  if (icmp.type === 8 || icmp.type === 0) {
    const swapped = ((icmp.seq & 0xff) << 8) | (icmp.seq >> 8);
    info += ` id=0x${icmp.id.toString(16).padStart(4, '0')}, seq=${icmp.seq}/${swapped}, ttl=${ip.ttl}`;
    info += echoes.pair(ip, icmp, icmp.type === 8, p.frame.number);
  } else if (icmp.type === 3) info += ` (${UNREACHABLE[icmp.code] ?? `Unknown (${icmp.code})`})`;
  else if (icmp.type === 11) info += ` (${TIME_EXCEEDED[icmp.code] ?? `Unknown (${icmp.code})`})`;
  return { protocol: 'ICMP', info };
}

function icmpv6Columns(p: DecodedPacket, ip: IpLayer, icmp: IcmpHeader, echoes: EchoTracker): Columns {
  const ndp = neighborDiscoveryInfo(icmp, p.payload);
  if (ndp) return { protocol: 'ICMPv6', info: ndp };
  let info = ICMPV6_TYPES[icmp.type] ?? `Unknown ICMPv6 type (${icmp.type})`;
  if (icmp.type === 128 || icmp.type === 129) {
    info += ` id=0x${icmp.id.toString(16).padStart(4, '0')}, seq=${icmp.seq}, hop limit=${ip.ttl}`;
    info += echoes.pair(ip, icmp, icmp.type === 128, p.frame.number);
  }
  return { protocol: 'ICMPv6', info };
}

/**
 * Neighbor Discovery (RFC 4861) as tshark words it: `Neighbor Solicitation for X from MAC`,
 * `Neighbor Advertisement X (rtr, sol, ovr) is at MAC`, `Router Solicitation from MAC`, …
 * `payload` is the message after its first 8 bytes.
 */
function neighborDiscoveryInfo(icmp: IcmpHeader, payload: Uint8Array): string | null {
  switch (icmp.type) {
    case 133:
      return withLinkAddress('Router Solicitation', linkOption(payload, 0, 1), 'from');
    case 134:
      return withLinkAddress('Router Advertisement', linkOption(payload, 8, 1), 'from');
    case 135:
      if (payload.length < 16) return null;
      return withLinkAddress(`Neighbor Solicitation for ${ipv6Text(payload, 0)}`, linkOption(payload, 16, 1), 'from');
    case 136: {
      if (payload.length < 16) return null;
      const flags = [
        (icmp.id & 0x8000) !== 0 ? 'rtr' : '',
        (icmp.id & 0x4000) !== 0 ? 'sol' : '',
        (icmp.id & 0x2000) !== 0 ? 'ovr' : '',
      ].filter((f) => f !== '');
      const base = `Neighbor Advertisement ${ipv6Text(payload, 0)}${flags.length ? ` (${flags.join(', ')})` : ''}`;
      return withLinkAddress(base, linkOption(payload, 16, 2), 'is at');
    }
    default:
      return null;
  }
}

function withLinkAddress(text: string, mac: string | null, word: string): string {
  return mac ? `${text} ${word} ${mac}` : text;
}

/** The link-layer address option of `type` (1 source, 2 target) among the options from `at`. */
function linkOption(b: Uint8Array, at: number, type: number): string | null {
  let p = at;
  while (p + 2 <= b.length) {
    const t = b[p] as number;
    const len = (b[p + 1] as number) * 8;
    if (len === 0) return null;
    if (t === type && len >= 8 && p + 8 <= b.length) return macText(b, p + 2);
    p += len;
  }
  return null;
}
