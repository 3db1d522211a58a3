/**
 * A bounded memo for pure functions of request text (transformations, prefilter scans,
 * libinjection). Header values, cookie names and most arguments repeat from request to request,
 * so their results are kept across requests. Attacker-controlled keys cannot grow it: past
 * `capacity` entries it starts over, and long texts are not kept at all — at worst an attacker
 * makes the engine recompute, as it would without a memo.
 */
export class TextMemo<T> {
  private map = new Map<string, T>();

  constructor(
    private readonly capacity: number,
    private readonly maxKeyLength = 2048,
  ) {}

  get(key: string, compute: (key: string) => T): T {
    const hit = this.map.get(key);
    if (hit !== undefined) return hit;
    const value = compute(key);
    if (key.length <= this.maxKeyLength) {
      if (this.map.size >= this.capacity) this.map = new Map();
      this.map.set(key, value);
    }
    return value;
  }
}
