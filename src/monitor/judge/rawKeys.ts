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

/** FNV-1a over every byte, mixed at the end so the low bits (the slot) depend on all of them. */
function hashBytes(b: Uint8Array): number {
  let h = 0x811c9dc5 ^ b.length;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ (b[i] as number), 0x01000193);
  h ^= h >>> 15;
  return Math.imul(h, 0x2c1b3c6d) >>> 7;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
