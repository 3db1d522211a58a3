/**
 * Does a reverse-DNS name look like a dial-up or residential address pool? Access networks name
 * their customer addresses after the line type (`ppp`, `dialup`, `adsl`, `cable`) or as a pool
 * (`dyn`, `pool`, `dhcp`), often with the address spelled into the name (`host-1-2-3-4`). Such
 * a source is most likely an infected home PC — a victim, like the 2003 incident's Italian dial-up user —
 * and the report goes to its network's abuse desk, not to a hosting provider.
 */
export type PoolKind = 'dial-up' | 'broadband' | 'dynamic pool';

export interface PoolHint {
  readonly kind: PoolKind;
  /** The part of the name that gave it away. */
  readonly evidence: string;
}

const WORDS: ReadonlyArray<readonly [string, PoolKind]> = [
  ['dialup', 'dial-up'],
  ['dial', 'dial-up'],
  ['pppoe', 'dial-up'],
  ['ppp', 'dial-up'],
  ['isdn', 'dial-up'],
  ['adsl', 'broadband'],
  ['vdsl', 'broadband'],
  ['xdsl', 'broadband'],
  ['dsl', 'broadband'],
  ['cable', 'broadband'],
  ['ftth', 'broadband'],
  ['fttx', 'broadband'],
  ['broadband', 'broadband'],
  ['residential', 'broadband'],
  ['cpe', 'broadband'],
  ['dynamic', 'dynamic pool'],
  ['dynip', 'dynamic pool'],
  ['dyn', 'dynamic pool'],
  ['pool', 'dynamic pool'],
  ['dhcp', 'dynamic pool'],
  ['client', 'dynamic pool'],
  ['customer', 'dynamic pool'],
];

/** The hint for `name` (the PTR of `ip`), or null when the name looks like a server's. */
export function poolHint(name: string, ip?: string): PoolHint | null {
  const lower = name.toLowerCase().replace(/\.$/, '');
  // Labels and their dash-separated parts, each with trailing digits dropped (`pool80116` → `pool`).
  const tokens = lower.split(/[.\-_]/).filter((t) => t !== '');
  for (const token of tokens) {
    const word = token.replace(/\d+$/, '');
    for (const [w, kind] of WORDS) {
      if (word === w || (w.length >= 4 && word.startsWith(w))) return { kind, evidence: token };
    }
  }
  if (ip && embedsAddress(lower, ip)) return { kind: 'dynamic pool', evidence: 'address spelled in the name' };
  return null;
}

/** `host-1-2-3-4`, `4-3-2-1.example.net`, `ip1-2-3-4`, `1.2.3.4.rev…`: the address written into the name. */
function embedsAddress(name: string, ip: string): boolean {
  const octets = ip.split('.');
  if (octets.length !== 4) return false;
  const numbers = name.match(/\d{1,3}/g) ?? [];
  const joined = `,${numbers.join(',')},`;
  return joined.includes(`,${octets.join(',')},`) || joined.includes(`,${[...octets].reverse().join(',')},`);
}
