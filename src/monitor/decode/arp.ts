import { ipv4Text, macText } from './address.js';

export interface ArpPacket {
  readonly operation: number;
  readonly senderMac: string;
  readonly senderIp: string;
  readonly targetMac: string;
  readonly targetIp: string;
}

/** Ethernet/IPv4 ARP only (hardware length 6, protocol length 4). */
export function decodeArp(b: Uint8Array, at: number): ArpPacket | { error: string } {
  if (b.length < at + 28) return { error: 'ARP packet truncated' };
  if (b[at + 4] !== 6 || b[at + 5] !== 4) return { error: 'ARP for other than Ethernet/IPv4' };
  return {
    operation: ((b[at + 6] as number) << 8) | (b[at + 7] as number),
    senderMac: macText(b, at + 8),
    senderIp: ipv4Text(b, at + 14),
    targetMac: macText(b, at + 18),
    targetIp: ipv4Text(b, at + 24),
  };
}
