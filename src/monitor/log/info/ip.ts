import type { IpLayer } from '../../decode/ip.js';
import type { Columns } from '../columns.js';

/** tshark's names for IP protocol numbers, and its line for a fragment that completes nothing. */
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
