/**
 * Times in a sliding window, oldest first: a ring of numbers that grows (by doubling) up to
 * its bound and never shrinks, so a push or a shift per packet makes no object and moves no
 * element — where an array's `shift` copies or trims it, and boxes each time it keeps.
 * A tagged queue keeps a tag (a SYN's source) with each time, at the same slot of a second
 * ring: a push adds a string reference, no object. A bare queue has no such ring, and its
 * push, shift and dropBefore are the same code as the tagged one's.
 */
export class TimeQueue {
  #ring: Float64Array;
  /** The tags, slot for slot with `#ring`; null in a bare queue. */
  #tags: string[] | null;
  #head = 0;
  #length = 0;
  readonly #bound: number;

  /** `bound`: the most times it ever holds (a push beyond it is the caller's error); `tagged`: with a tag per time. */
  constructor(bound: number, tagged = false) {
    this.#bound = Math.max(1, bound);
    const size = Math.min(8, this.#bound);
    this.#ring = new Float64Array(size);
    this.#tags = tagged ? new Array<string>(size).fill('') : null;
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

  /** Push `time` with its tag (a tagged queue only). */
  pushTagged(time: number, tag: string): void {
    if (this.#tags === null) throw new TypeError('pushTagged on a TimeQueue without tags');
    if (this.#length === this.#ring.length) this.#grow();
    const at = (this.#head + this.#length) % this.#ring.length;
    this.#ring[at] = time;
    // Read after the growth, which replaces the tags' ring.
    (this.#tags as string[])[at] = tag;
    this.#length++;
  }

  shift(): void {
    if (this.#length === 0) return;
    this.#head = (this.#head + 1) % this.#ring.length;
    this.#length--;
  }

  /**
   * Drop the times before `start`. Each step's reads and sums run even where nothing is dropped
   * (the oldest slot of an empty queue holds a stale number, ignored): code first run only once
   * the window slides would throw the optimized detector away there, to be compiled again.
   */
  dropBefore(start: number): void {
    const ring = this.#ring;
    let head = this.#head;
    let length = this.#length;
    for (;;) {
      const older = (ring[head] as number) < start;
      const drop = length > 0 && older ? 1 : 0;
      head = (head + drop) % ring.length;
      length -= drop;
      if (drop === 0) break;
    }
    this.#head = head;
    this.#length = length;
  }

  /** How many different tags the times held have (when a rule is about to fire, not per packet); 0 in a bare queue. */
  distinctTags(): number {
    const tags = this.#tags;
    if (tags === null) return 0;
    const seen = new Set<string>();
    for (let i = 0; i < this.#length; i++) seen.add(tags[(this.#head + i) % this.#ring.length] as string);
    return seen.size;
  }

  #grow(): void {
    if (this.#ring.length >= this.#bound) throw new RangeError(`TimeQueue holds at most ${this.#bound} times`);
    const size = Math.min(this.#bound, this.#ring.length * 2);
    const ring = new Float64Array(size);
    for (let i = 0; i < this.#length; i++) ring[i] = this.#ring[(this.#head + i) % this.#ring.length] as number;
    if (this.#tags !== null) {
      const tags = new Array<string>(size).fill('');
      for (let i = 0; i < this.#length; i++) tags[i] = this.#tags[(this.#head + i) % this.#ring.length] as string;
      this.#tags = tags;
    }
    this.#ring = ring;
    this.#head = 0;
  }
}
