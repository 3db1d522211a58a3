import { decodeDns } from '../decode/dns.js';
import type { UdpHeader } from '../decode/udp.js';
import type { ProtocolEvent } from './events.js';

/** UDP ports of DNS and its multicast kin, mDNS and LLMNR. */
const DNS_PORTS: ReadonlySet<number> = new Set([53, 5353, 5355]);

/** A datagram to or from a DNS port whose payload is a DNS message: its event goes to `out`. */
export function readDatagram(udp: UdpHeader, payload: Uint8Array, out: ProtocolEvent[]): void {
  if (!DNS_PORTS.has(udp.sourcePort) && !DNS_PORTS.has(udp.destinationPort)) return;
  const message = decodeDns(payload);
  if (message !== null) out.push({ kind: 'dns_message', message });
}
