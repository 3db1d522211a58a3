import type { UdpHeader } from '../decode/udp.js';

/** UDP ports of DNS and its multicast kin, mDNS and LLMNR. */
const DNS_PORTS: ReadonlySet<number> = new Set([53, 5353, 5355]);

/** Is the datagram to or from a DNS port (DNS, mDNS, LLMNR)? */
export function isDnsDatagram(udp: UdpHeader): boolean {
  return DNS_PORTS.has(udp.sourcePort) || DNS_PORTS.has(udp.destinationPort);
}

/** Record types by the names tshark and Zeek give them. */
export const DNS_TYPES: Readonly<Record<number, string>> = {
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
