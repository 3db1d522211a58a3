import { ipv6Text, macText } from '../decode/address.js';
import type { ArpPacket } from '../decode/arp.js';
import { decodeDns } from '../decode/dns.js';
import type { IcmpHeader } from '../decode/icmp.js';
import type { IpLayer } from '../decode/ip.js';
import type { UdpHeader } from '../decode/udp.js';
import { dhcpColumns, nbnsColumns, ntpColumns, ssdpColumns } from './udpServices.js';

/** Protocol and Info columns for what is not TCP, in tshark's words. */
export interface Columns {
  readonly protocol: string;
  readonly info: string;
}

const IP_PROTOCOL_NAMES: Readonly<Record<number, string>> = {
  1: 'ICMP',
  2: 'IGMP',
  4: 'IPIP',
  6: 'TCP',
  17: 'UDP',
  41: 'IPv6',
  47: 'GRE',
  50: 'ESP',
  51: 'AH',
  58: 'ICMPv6',
  89: 'OSPF',
  103: 'PIM',
  112: 'VRRP',
  132: 'SCTP',
};

export function ipProtocolName(n: number): string {
  return IP_PROTOCOL_NAMES[n] ?? `Unknown`;
}

export function fragmentColumns(ip: IpLayer): Columns {
  if (ip.version === 4) {
    const id = ip.id.toString(16).padStart(4, '0');
    return {
      protocol: 'IPv4',
      info: `Fragmented IP protocol (proto=${ipProtocolName(ip.protocol)} ${ip.protocol}, off=${ip.fragmentOffset}, ID=${id})`,
    };
  }
  return {
    protocol: 'IPv6',
    info: `IPv6 fragment (off=${ip.fragmentOffset} more=${ip.moreFragments ? 'y' : 'n'} ident=0x${ip.id.toString(16).padStart(8, '0')} nxt=${ip.protocol})`,
  };
}

/**
 * UDP's columns. A length field below 8, or beyond the IP payload, is reported as tshark
 * reports it; `ipPayloadLength` is what the IP header leaves for UDP. `zeroChecksumIllegal`:
 * UDP over IPv6 must carry a checksum (RFC 8200 §8.1); tshark flags 0.
 */
export function udpColumns(
  udp: UdpHeader,
  ipPayloadLength: number,
  payload: Uint8Array,
  zeroChecksumIllegal: boolean,
  macName: (mac: string) => string,
): Columns {
  const { sourcePort: sport, destinationPort: dport, length } = udp;
  if (length < 8) return { protocol: 'UDP', info: `${sport} → ${dport} [BAD UDP LENGTH ${length} < 8]` };
  if (length > ipPayloadLength) {
    // With not one byte of data, the payload's dissector runs off the end of the packet.
    const malformed = ipPayloadLength <= 8 ? '[Malformed Packet]' : '';
    return {
      protocol: 'UDP',
      info: `${sport} → ${dport} [BAD UDP LENGTH ${length} > IP PAYLOAD LENGTH] Len=${length - 8}${malformed}`,
    };
  }
  // tshark tries the lower port's protocol first.
  const low = Math.min(sport, dport);
  const high = Math.max(sport, dport);
  const service =
    udpServiceColumns(low, payload, macName) ?? (high === low ? null : udpServiceColumns(high, payload, macName));
  if (service) return service;
  const note = zeroChecksumIllegal ? ' [ILLEGAL CHECKSUM (0)]' : '';
  return { protocol: 'UDP', info: `${sport} → ${dport} Len=${length - 8}${note}` };
}

/** The service a UDP port is registered to, when the payload is what the port says. */
function udpServiceColumns(port: number, payload: Uint8Array, macName: (mac: string) => string): Columns | null {
  switch (port) {
    case 53:
      return named('DNS', dnsInfo(payload));
    case 67:
    case 68:
      return dhcpColumns(payload, macName);
    case 123:
      return ntpColumns(payload);
    case 137:
      return nbnsColumns(payload);
    case 1900:
      return ssdpColumns(payload);
    case 5353:
      return named('MDNS', dnsInfo(payload, true));
    case 5355:
      return named('LLMNR', dnsInfo(payload));
    default:
      return null;
  }
}

function named(protocol: string, info: string | null): Columns | null {
  return info === null ? null : { protocol, info };
}

const DNS_TYPES: Readonly<Record<number, string>> = {
  1: 'A',
  2: 'NS',
  5: 'CNAME',
  6: 'SOA',
  12: 'PTR',
  13: 'HINFO',
  15: 'MX',
  16: 'TXT',
  28: 'AAAA',
  33: 'SRV',
  35: 'NAPTR',
  41: 'OPT',
  43: 'DS',
  46: 'RRSIG',
  47: 'NSEC',
  48: 'DNSKEY',
  64: 'SVCB',
  65: 'HTTPS',
  99: 'SPF',
  252: 'AXFR',
  255: 'ANY',
  257: 'CAA',
};
const DNS_OPCODES = [
  'Standard query',
  'Inverse query',
  'Server status request',
  'Unknown operation (3)',
  'Zone change notification',
  'Dynamic update',
];
const DNS_RCODES = ['No error', 'Format error', 'Server failure', 'No such name', 'Not implemented', 'Refused'];

/**
 * tshark's DNS summary: `Standard query 0x1a2b A www.example.com`. With `mdns`, the summary of
 * multicast DNS, which marks each question `"QM"` or `"QU"` (unicast response wanted) and each
 * record whose class has the cache-flush bit.
 */
export function dnsInfo(payload: Uint8Array, mdns = false): string | null {
  const m = decodeDns(payload);
  if (!m) return null;
  let s = DNS_OPCODES[m.opcode] ?? `Unknown operation (${m.opcode})`;
  if (m.response) s += ' response';
  s += ` 0x${m.id.toString(16).padStart(4, '0')}`;
  if (m.response && m.rcode !== 0) s += ` ${DNS_RCODES[m.rcode] ?? `Unknown error (${m.rcode})`}`;
  for (const q of m.questions) {
    s += ` ${dnsType(q.type)} ${q.name}`;
    if (mdns) s += (q.class & 0x8000) !== 0 ? ', "QU" question' : ', "QM" question';
  }
  for (const r of m.records) {
    const flush = mdns && (r.class & 0x8000) !== 0 ? ', cache flush' : '';
    s += r.data === '' ? ` ${dnsType(r.type)}${flush}` : ` ${dnsType(r.type)}${flush} ${r.data}`;
  }
  return s;
}

function dnsType(t: number): string {
  return DNS_TYPES[t] ?? `Unknown (${t})`;
}

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

  request(key: string, frame: number): void {
    if (this.#requests.size > 65536) this.#requests.clear();
    this.#requests.set(key, frame);
  }

  find(key: string): number | undefined {
    return this.#requests.get(key);
  }
}

export function icmpColumns(
  ip: IpLayer,
  icmp: IcmpHeader,
  frame: number,
  echoes: EchoTracker,
  payload: Uint8Array,
): Columns {
  if (icmp.version === 6) return icmpv6Columns(ip, icmp, frame, echoes, payload);
  const name = ICMP_TYPES[icmp.type] ?? `Unknown ICMP (obsolete or malformed?)`;
  let info = name.padEnd(20);
  if (icmp.type === 8 || icmp.type === 0) {
    const swapped = ((icmp.seq & 0xff) << 8) | (icmp.seq >> 8);
    info += ` id=0x${icmp.id.toString(16).padStart(4, '0')}, seq=${icmp.seq}/${swapped}, ttl=${ip.ttl}`;
    const key = `${icmp.id}/${icmp.seq}`;
    if (icmp.type === 8) echoes.request(`${ip.source}>${ip.destination}/${key}`, frame);
    else {
      const req = echoes.find(`${ip.destination}>${ip.source}/${key}`);
      if (req !== undefined) info += ` (request in ${req})`;
    }
  } else if (icmp.type === 3) info += ` (${UNREACHABLE[icmp.code] ?? `Unknown (${icmp.code})`})`;
  else if (icmp.type === 11) info += ` (${TIME_EXCEEDED[icmp.code] ?? `Unknown (${icmp.code})`})`;
  return { protocol: 'ICMP', info };
}

function icmpv6Columns(
  ip: IpLayer,
  icmp: IcmpHeader,
  frame: number,
  echoes: EchoTracker,
  payload: Uint8Array,
): Columns {
  const ndp = neighborDiscoveryInfo(icmp, payload);
  if (ndp) return { protocol: 'ICMPv6', info: ndp };
  let info = ICMPV6_TYPES[icmp.type] ?? `Unknown ICMPv6 type (${icmp.type})`;
  if (icmp.type === 128 || icmp.type === 129) {
    info += ` id=0x${icmp.id.toString(16).padStart(4, '0')}, seq=${icmp.seq}, hop limit=${ip.ttl}`;
    const key = `${icmp.id}/${icmp.seq}`;
    if (icmp.type === 128) echoes.request(`${ip.source}>${ip.destination}/${key}`, frame);
    else {
      const req = echoes.find(`${ip.destination}>${ip.source}/${key}`);
      if (req !== undefined) info += ` (request in ${req})`;
    }
  }
  return { protocol: 'ICMPv6', info };
}

/**
 * ARP as tshark words it, RFC 5227's probes and announcements included (every host sends them
 * when it joins a link), and RARP and Inverse ARP.
 */
export function arpColumns(arp: ArpPacket): Columns {
  const { senderIp, senderMac, targetIp, targetMac } = arp;
  const unknownTarget = targetMac === '00:00:00:00:00:00';
  switch (arp.operation) {
    case 1:
      if (senderIp === targetIp) {
        return {
          protocol: 'ARP',
          info: unknownTarget ? `ARP Announcement for ${senderIp}` : `Gratuitous ARP for ${senderIp} (Request)`,
        };
      }
      if (senderIp === '0.0.0.0' && unknownTarget) return { protocol: 'ARP', info: `Who has ${targetIp}? (ARP Probe)` };
      return { protocol: 'ARP', info: `Who has ${targetIp}? Tell ${senderIp}` };
    case 2:
      if (senderIp === targetIp) return { protocol: 'ARP', info: `Gratuitous ARP for ${senderIp} (Reply)` };
      return { protocol: 'ARP', info: `${senderIp} is at ${senderMac}` };
    case 3:
      return { protocol: 'RARP', info: `Who is ${targetMac}? Tell ${senderMac}` };
    case 4:
      return { protocol: 'RARP', info: `${targetMac} is at ${targetIp}` };
    case 8:
      return { protocol: 'Inverse ARP', info: `Who is ${targetMac}? Tell ${senderMac}` };
    case 9:
      return { protocol: 'Inverse ARP', info: `${senderMac} is at ${senderIp}` };
    default:
      return { protocol: 'ARP', info: `Unknown ARP opcode 0x${arp.operation.toString(16).padStart(4, '0')}` };
  }
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
