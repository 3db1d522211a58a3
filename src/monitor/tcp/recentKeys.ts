/**
 * The last `capacity` keys added, oldest forgotten first. A ring of keys beside a Map, because
 * forgetting a Map's oldest entry through `keys().next()` walks over every deleted slot still
 * at the front of V8's table: with thousands of closes that walk dominated the tracker.
 */
export class RecentKeys {
  /**
   * Slots not yet used hold '' (never a key: a flow key has 6 units or more), so `add` reads and
   * compares its slot's old key from the first add on. Were the first wrap (after `capacity`
   * adds) the first time that code ran, the optimized tracker would be thrown away there and
   * compiled again.
   */
  readonly #ring: string[];
  /** Per key, the serial of its newest add: an old ring slot does not forget a key added again since. */
  readonly #serials = new Map<string, number>();
  #next = 0;

  constructor(capacity: number) {
    this.#ring = new Array<string>(capacity).fill('');
  }

  has(key: string): boolean {
    return this.#serials.has(key);
  }

  delete(key: string): void {
    this.#serials.delete(key);
  }

  /** Remember `key` (again); returns the key this forgot, if it forgot one. */
  add(key: string): string | undefined {
    const serials = this.#serials;
    const slot = this.#next % this.#ring.length;
    const old = this.#ring[slot] as string;
    const forgets = serials.get(old) === this.#next - this.#ring.length;
    // Deleting '' (never a key) where nothing is forgotten: the same calls every time.
    serials.delete(forgets ? old : '');
    this.#ring[slot] = key;
    serials.set(key, this.#next);
    this.#next++;
    return forgets ? old : undefined;
  }
}
