/**
 * "Seen this before?" for memo admission, in a fixed table of fingerprints: a value is worth
 * remembering (copying, keeping) only once it comes back. Unique values — most request paths
 * on some sites, a flood built to defeat the memo — then cost a fingerprint, not a copy. The
 * fingerprint hashes every character (values are at most PREFILTER_MEMO.maxLength long):
 * sampling a few made near-identical values (`/u1/x`, `/u2/x`) collide, and a collision makes
 * a value be remembered early — harmless, but it costs the copy the table exists to avoid.
 */
export class Doorkeeper {
  private readonly table: Uint32Array;
  private readonly mask: number;

  constructor(slotsLog2 = 14) {
    this.table = new Uint32Array(1 << slotsLog2);
    this.mask = (1 << slotsLog2) - 1;
  }

  /** True when the fingerprint of (`salt`, `value`) was recorded before; records it otherwise. */
  seenBefore(value: string, salt: number): boolean {
    const h = fingerprint(value, salt) | 1;
    const slot = (h >>> 7) & this.mask;
    if (this.table[slot] === h >>> 0) return true;
    this.table[slot] = h >>> 0;
    return false;
  }
}

function fingerprint(value: string, salt: number): number {
  const n = value.length;
  let h = Math.imul(salt + 1, 0x9e3779b1) ^ n;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ value.charCodeAt(i), 0x01000193);
  h ^= h >>> 15;
  return Math.imul(h, 0x2c1b3c6d);
}
