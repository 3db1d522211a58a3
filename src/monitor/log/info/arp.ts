import type { ArpPacket } from '../../decode/arp.js';
import type { Columns } from '../columns.js';

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
