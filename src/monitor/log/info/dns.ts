import type { DnsMessage } from '../../decode/dns.js';
import { DNS_TYPES } from '../../protocols/dns.js';

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
export function dnsInfo(m: DnsMessage, mdns = false): string {
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
