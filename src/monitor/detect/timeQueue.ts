/**
 * Times in a sliding window, oldest first: a ring of numbers that grows (by doubling) up to
 * its bound and never shrinks, so a push or a shift per packet makes no object and moves no
 * element — where an array's `shift` copies or trims it, and boxes each time it keeps.
 */
export class TimeQueue {
  #ring: Float64Array;
  #head = 0;
  #length = 0;
  readonly #bound: number;

  /** `bound`: the most times it ever holds (a push beyond it is the caller's error). */
  constructor(bound: number) {
    this.#bound = Math.max(1, bound);
    this.#ring = new Float64Array(Math.min(8, this.#bound));
  }

  get length(): number {
    return this.#length;
  }

  /** The oldest time (NaN when empty). */
  first(): number {
    return this.#length === 0 ? Number.NaN : (this.#ring[this.#head] as number);
  }

  push(time: number): void {
    if (this.#length === this.#ring.length) this.#grow();
    this.#ring[(this.#head + this.#length) % this.#ring.length] = time;
    this.#length++;
  }

  shift(): void {
    if (this.#length === 0) return;
    this.#head = (this.#head + 1) % this.#ring.length;
    this.#length--;
  }

  /** Drop the times before `start`. */
  dropBefore(start: number): void {
    while (this.#length > 0 && (this.#ring[this.#head] as number) < start) this.shift();
  }

  #grow(): void {
    if (this.#ring.length >= this.#bound) throw new RangeError(`TimeQueue holds at most ${this.#bound} times`);
    const ring = new Float64Array(Math.min(this.#bound, this.#ring.length * 2));
    for (let i = 0; i < this.#length; i++) ring[i] = this.#ring[(this.#head + i) % this.#ring.length] as number;
    this.#ring = ring;
    this.#head = 0;
  }
}
