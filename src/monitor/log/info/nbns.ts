import type { Columns } from '../columns.js';
import { formatText } from '../formatText.js';

const NBNS_OPCODES: Readonly<Record<number, string>> = {
  0: 'Name query',
  5: 'Registration',
  6: 'Release',
  7: 'Wait for acknowledgment',
  8: 'Refresh',
  9: 'Refresh (alternate opcode)',
  15: 'Multi-homed registration',
};
const NBNS_RCODES = [
  '',
  'Format error',
  'Server failure',
  'Requested name does not exist',
  'Request is not implemented',
  'Request was refused',
  'Active error',
  'Name in conflict',
];
const NBNS_TYPES: Readonly<Record<number, string>> = { 32: 'NB', 33: 'NBSTAT', 10: 'NULL', 1: 'A', 2: 'NS' };

/**
 * NetBIOS name service (Windows networks' broadcast name lookups): `Name query NB WPAD<00>`,
 * `Name query response NB 10.0.0.5`, `Registration NB HOST1<20>`.
 */
export function nbnsColumns(b: Uint8Array): Columns | null {
  if (b.length < 12) return null;
  const flags = ((b[2] as number) << 8) | (b[3] as number);
  const response = (flags & 0x8000) !== 0;
  const opcode = (flags >> 11) & 0x0f;
  const rcode = flags & 0x0f;
  let info = NBNS_OPCODES[opcode] ?? `Unknown operation (${opcode})`;
  if (response) info += ' response';
  if (response && rcode !== 0) info += `, ${NBNS_RCODES[rcode] ?? `Unknown error (${rcode})`}`;
  const questions = ((b[4] as number) << 8) | (b[5] as number);
  const answers = ((b[6] as number) << 8) | (b[7] as number);
  let at = 12;
  for (let q = 0; q < questions && q < 16; q++) {
    const name = nbName(b, at);
    if (name === null || name.end + 4 > b.length) return { protocol: 'NBNS', info };
    info += ` ${nbType(b, name.end)} ${name.text}`;
    at = name.end + 4;
  }
  for (let a = 0; a < answers && a < 16; a++) {
    const name = nbName(b, at);
    if (name === null || name.end + 10 > b.length) break;
    const type = ((b[name.end] as number) << 8) | (b[name.end + 1] as number);
    const length = ((b[name.end + 8] as number) << 8) | (b[name.end + 9] as number);
    const data = name.end + 10;
    if (data + length > b.length) break;
    // An NB record is a 2-byte flags word and an IPv4 address per name owner.
    if (type === 0x20 && length < 6) return { protocol: 'NBNS', info: `${info}[Malformed Packet]` };
    info += type === 0x20 ? ` NB ${[...b.subarray(data + 2, data + 6)].join('.')}` : ` ${nbType(b, name.end)}`;
    at = data + length;
  }
  return { protocol: 'NBNS', info };
}

function nbType(b: Uint8Array, at: number): string {
  const type = ((b[at] as number) << 8) | (b[at + 1] as number);
  return NBNS_TYPES[type] ?? `Unknown (${type})`;
}

/**
 * A NetBIOS name (RFC 1001 first-level encoding: 32 letters for 16 bytes, then the scope's
 * labels): `WPAD<00>`, unprintable characters as `<xx>`, trailing spaces dropped.
 */
function nbName(b: Uint8Array, at: number): { text: string; end: number } | null {
  // A compression pointer (answers in some responses point back at the question).
  if (((b[at] ?? 0) & 0xc0) === 0xc0) {
    const target = (((b[at] as number) & 0x3f) << 8) | (b[at + 1] as number);
    const named = target < at ? nbName(b, target) : null;
    return named === null ? null : { text: named.text, end: at + 2 };
  }
  if (b[at] !== 32 || at + 33 > b.length) return null;
  const bytes: number[] = [];
  for (let i = 0; i < 16; i++) {
    const hi = (b[at + 1 + 2 * i] as number) - 65;
    const lo = (b[at + 2 + 2 * i] as number) - 65;
    if (hi < 0 || hi > 15 || lo < 0 || lo > 15) return null;
    bytes.push((hi << 4) | lo);
  }
  let name = '';
  for (const c of bytes.slice(0, 15))
    name += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : `<${c.toString(16).padStart(2, '0')}>`;
  name = name.trimEnd();
  let text = `${name}<${(bytes[15] as number).toString(16).padStart(2, '0')}>`;
  let end = at + 33;
  while (end < b.length && b[end] !== 0) {
    const length = b[end] as number;
    if (end + 1 + length > b.length) return null;
    text += `.${formatText(b, end + 1, end + 1 + length)}`;
    end += 1 + length;
  }
  return { text, end: end + 1 };
}
