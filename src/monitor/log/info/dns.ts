import type { DnsMessage } from '../../decode/dns.js';

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
