import { isIP } from 'node:net';

/** Address ranges no origin database can place: say what they are instead. */
export type SpecialRange = 'loopback' | 'private' | 'link-local' | 'documentation' | 'shared' | 'unspecified';

/**
 * The special range an address belongs to, or null for a public address (RFC 6890 and
 * friends; the documentation ranges are what test fixtures and examples use).
 */
export function specialRange(ip: string): SpecialRange | null {
  const v = isIP(ip);
  if (v === 4) {
    const [a = 0, b = 0, c = 0] = ip.split('.').map(Number);
    if (a === 127) return 'loopback';
    if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'private';
    if (a === 169 && b === 254) return 'link-local';
    if (a === 100 && b >= 64 && b <= 127) return 'shared';
    if (
      (a === 192 && b === 0 && c === 2) ||
      (a === 198 && b === 51 && c === 100) ||
      (a === 203 && b === 0 && c === 113)
    )
      return 'documentation';
    if (a === 0) return 'unspecified';
    return null;
  }
  if (v === 6) {
    const low = ip.toLowerCase();
    if (low === '::1') return 'loopback';
    if (low === '::') return 'unspecified';
    if (low.startsWith('fe8') || low.startsWith('fe9') || low.startsWith('fea') || low.startsWith('feb'))
      return 'link-local';
    if (low.startsWith('fc') || low.startsWith('fd')) return 'private';
    if (low.startsWith('2001:db8:') || low === '2001:db8::') return 'documentation';
    if (low.startsWith('::ffff:')) return specialRange(low.slice(7));
    return null;
  }
  return null;
}
