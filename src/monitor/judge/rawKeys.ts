/**
 * The memo keys (./rawRequestKey.ts) of requests the memo knows, found again by their bytes: a
 * repeat (most requests: a client sends the same head again and again) then costs a hash and a
 * compare of its bytes, not their text, a key concatenated from it, and the map flattening and
 * hashing that key. A table of slots chosen by the bytes' hash, each holding the last request
 * that landed there: a collision costs the slow path, never a wrong key.
 */
export class RawKeys {
  readonly #slots: (Slot | undefined)[] = new Array(SLOTS).fill(undefined);

  /** The key of `raw` cut with `malformed`, when remembered; else null. */
  known(raw: Uint8Array, malformed: string | null): string | null {
    if (raw.length > MAX_BYTES) return null;
    const slot = this.#slots[hashBytes(raw) & MASK];
    return slot !== undefined && slot.malformed === malformed && sameBytes(slot.raw, raw) ? slot.key : null;
  }

  /**
   * Remember `key`, made of `raw` and `malformed`. `raw` is kept, not copied: a judged
   * request's bytes are its own (the framer cut them), and nobody changes them.
   */
  remember(raw: Uint8Array, malformed: string | null, key: string): void {
    if (raw.length <= MAX_BYTES) this.#slots[hashBytes(raw) & MASK] = { raw, malformed, key };
  }
}

/** Why a judged request's key is what it is: its bytes and the framer's reason. */
interface Slot {
  readonly raw: Uint8Array;
  readonly malformed: string | null;
  readonly key: string;
}

/** As many as the memo keeps requests (../../detect/requestMemo.ts). */
const SLOTS = 4096;
const MASK = SLOTS - 1;
/** The memo keeps no longer key either: a longer request is never found here. */
const MAX_BYTES = 4096;

/**
 * FNV-1a over every byte, four at a time (a loop per byte costs as much as the text this
 * spares), mixed at the end so the low bits (the slot) depend on all of them.
 */
function hashBytes(b: Uint8Array): number {
  const n = b.length;
  let h = 0x811c9dc5 ^ n;
  let i = 0;
  for (; i + 4 <= n; i += 4)
    h = Math.imul(
      h ^
        ((b[i] as number) | ((b[i + 1] as number) << 8) | ((b[i + 2] as number) << 16) | ((b[i + 3] as number) << 24)),
      0x01000193,
    );
  for (; i < n; i++) h = Math.imul(h ^ (b[i] as number), 0x01000193);
  h ^= h >>> 15;
  return Math.imul(h, 0x2c1b3c6d) >>> 7;
}

/** Compared natively: a loop in JavaScript costs twice the hash. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && (a === b || Buffer.compare(a, b) === 0);
}
