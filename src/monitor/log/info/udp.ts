import type { UdpHeader } from '../../decode/udp.js';
import type { Columns } from '../columns.js';
import { dhcpColumns } from './dhcp.js';
import { nbnsColumns } from './nbns.js';
import { ntpColumns } from './ntp.js';
import { ssdpColumns } from './ssdp.js';

/** A DNS message's line (DNS, mDNS or LLMNR): its Info is written from the payload's bytes (./dns.ts). */
export interface DnsColumns {
  readonly protocol: 'DNS' | 'MDNS' | 'LLMNR';
  readonly info: null;
  /** Multicast DNS, whose summary marks questions and cache flushes. */
  readonly mdns: boolean;
}

const DNS: DnsColumns = { protocol: 'DNS', info: null, mdns: false };
const MDNS: DnsColumns = { protocol: 'MDNS', info: null, mdns: true };
const LLMNR: DnsColumns = { protocol: 'LLMNR', info: null, mdns: false };

/** A message shorter than its header is no DNS. */
const DNS_HEADER = 12;

/**
 * UDP's columns. A length field below 8, or beyond the IP payload, is reported as tshark
 * reports it; `ipPayloadLength` is what the IP header leaves for UDP. `zeroChecksumIllegal`:
 * UDP over IPv6 must carry a checksum (RFC 8200 §8.1); tshark flags 0. A DNS message's Info
 * is left to its writer (DnsColumns).
 */
export function udpColumns(
  udp: UdpHeader,
  ipPayloadLength: number,
  payload: Uint8Array,
  zeroChecksumIllegal: boolean,
  macName: (mac: string) => string,
): Columns | DnsColumns {
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
function udpServiceColumns(
  port: number,
  payload: Uint8Array,
  macName: (mac: string) => string,
): Columns | DnsColumns | null {
  switch (port) {
    case 53:
      return dnsPayload(payload, DNS);
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
      return dnsPayload(payload, MDNS);
    case 5355:
      return dnsPayload(payload, LLMNR);
    default:
      return null;
  }
}

function dnsPayload(payload: Uint8Array, columns: DnsColumns): DnsColumns | null {
  return payload.length < DNS_HEADER ? null : columns;
}
