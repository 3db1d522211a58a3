/**
 * Times in a sliding window with the source address of each, oldest first: two rings sharing one
 * head, so that a packet adds a number and a string reference, no object (as ./timeQueue.ts).
 * The rings grow by doubling up to the bound and never shrink.
 */
export class SourceTimes {
  #times: Float64Array;
  #sources: string[];
  #head = 0;
  #length = 0;
  readonly #bound: number;

  /** `bound`: the most entries it ever holds (a push beyond it is the caller's error). */
  constructor(bound: number) {
    this.#bound = Math.max(1, bound);
    const size = Math.min(8, this.#bound);
    this.#times = new Float64Array(size);
    this.#sources = new Array<string>(size).fill('');
  }

  get length(): number {
    return this.#length;
  }

  push(time: number, source: string): void {
    if (this.#length === this.#times.length) this.#grow();
    const at = (this.#head + this.#length) % this.#times.length;
    this.#times[at] = time;
    this.#sources[at] = source;
    this.#length++;
  }

  shift(): void {
    if (this.#length === 0) return;
    this.#head = (this.#head + 1) % this.#times.length;
    this.#length--;
  }

  /** Drop the entries before `start`. */
  dropBefore(start: number): void {
    while (this.#length > 0 && (this.#times[this.#head] as number) < start) this.shift();
  }

  /** How many different sources the entries have (when a rule is about to fire, not per packet). */
  distinctSources(): number {
    const seen = new Set<string>();
    for (let i = 0; i < this.#length; i++) seen.add(this.#sources[(this.#head + i) % this.#times.length] as string);
    return seen.size;
  }

  #grow(): void {
    if (this.#times.length >= this.#bound) throw new RangeError(`SourceTimes holds at most ${this.#bound} entries`);
    const size = Math.min(this.#bound, this.#times.length * 2);
    const times = new Float64Array(size);
    const sources = new Array<string>(size).fill('');
    for (let i = 0; i < this.#length; i++) {
      const from = (this.#head + i) % this.#times.length;
      times[i] = this.#times[from] as number;
      sources[i] = this.#sources[from] as string;
    }
    this.#times = times;
    this.#sources = sources;
    this.#head = 0;
  }
}
