/**
 * The last `capacity` keys added, oldest forgotten first. A ring of keys beside a Map, because
 * forgetting a Map's oldest entry through `keys().next()` walks over every deleted slot still
 * at the front of V8's table: with thousands of closes that walk dominated the tracker.
 */
export class RecentKeys {
  readonly #ring: Array<string | undefined>;
  /** Per key, the serial of its newest add: an old ring slot does not forget a key added again since. */
  readonly #serials = new Map<string, number>();
  #next = 0;

  constructor(capacity: number) {
    this.#ring = new Array<string | undefined>(capacity).fill(undefined);
  }

  has(key: string): boolean {
    return this.#serials.has(key);
  }

  delete(key: string): void {
    this.#serials.delete(key);
  }

  /** Remember `key` (again); returns the key this forgot, if it forgot one. */
  add(key: string): string | undefined {
    const slot = this.#next % this.#ring.length;
    const old = this.#ring[slot];
    let forgotten: string | undefined;
    if (old !== undefined && this.#serials.get(old) === this.#next - this.#ring.length) {
      this.#serials.delete(old);
      forgotten = old;
    }
    this.#ring[slot] = key;
    this.#serials.set(key, this.#next);
    this.#next++;
    return forgotten;
  }
}
