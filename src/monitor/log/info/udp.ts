import type { DnsMessage } from '../../decode/dns.js';
import type { UdpHeader } from '../../decode/udp.js';
import type { Columns } from '../columns.js';
import { dhcpColumns } from './dhcp.js';
import { dnsInfo } from './dns.js';
import { nbnsColumns } from './nbns.js';
import { ntpColumns } from './ntp.js';
import { ssdpColumns } from './ssdp.js';

/**
 * UDP's columns. A length field below 8, or beyond the IP payload, is reported as tshark
 * reports it; `ipPayloadLength` is what the IP header leaves for UDP. `zeroChecksumIllegal`:
 * UDP over IPv6 must carry a checksum (RFC 8200 §8.1); tshark flags 0. `dns` is the DNS
 * message the datagram carries, as ../../protocols/dns.ts read it, or null.
 */
export function udpColumns(
  udp: UdpHeader,
  ipPayloadLength: number,
  payload: Uint8Array,
  zeroChecksumIllegal: boolean,
  macName: (mac: string) => string,
  dns: DnsMessage | null,
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
    udpServiceColumns(low, payload, macName, dns) ??
    (high === low ? null : udpServiceColumns(high, payload, macName, dns));
  if (service) return service;
  const note = zeroChecksumIllegal ? ' [ILLEGAL CHECKSUM (0)]' : '';
  return { protocol: 'UDP', info: `${sport} → ${dport} Len=${length - 8}${note}` };
}

/** The service a UDP port is registered to, when the payload is what the port says. */
function udpServiceColumns(
  port: number,
  payload: Uint8Array,
  macName: (mac: string) => string,
  dns: DnsMessage | null,
): Columns | null {
  switch (port) {
    case 53:
      return named('DNS', dns, false);
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
      return named('MDNS', dns, true);
    case 5355:
      return named('LLMNR', dns, false);
    default:
      return null;
  }
}

function named(protocol: string, dns: DnsMessage | null, mdns: boolean): Columns | null {
  return dns === null ? null : { protocol, info: dnsInfo(dns, mdns) };
}
