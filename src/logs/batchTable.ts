/**
 * What a log worker's results are carried in (./batchHits.ts, ./batchSignals.ts): rows of
 * numbers in one typed array, transferred with the reply, and the batch's strings once each.
 * Results held as small objects or a list of boxed values until a batch was done (thousands on
 * an attack-heavy log) were copied by every young-generation collection in between, then
 * promoted: a quarter of a worker's time, and again on the reading thread as the clone was read.
 */

/** Rows of `width` numbers, appended one value at a time; the array doubles as it fills. */
export class NumberRows {
  #data: Float64Array;
  #used = 0;

  constructor(
    readonly width: number,
    rows = 64,
  ) {
    this.#data = new Float64Array(width * rows);
  }

  /** Append one value (a row is `width` calls). */
  add(value: number): void {
    if (this.#used === this.#data.length) {
      const larger = new Float64Array(this.#data.length * 2);
      larger.set(this.#data);
      this.#data = larger;
    }
    this.#data[this.#used++] = value;
  }

  /** The rows written, a view of an array of their own (to transfer). */
  rows(): Float64Array {
    return this.#data.subarray(0, this.#used);
  }
}

/** A batch's strings, each once, by number: a row holds the number, the reply the list. */
export class NameTable {
  readonly list: string[] = [];
  readonly #numbers = new Map<string, number>();

  /** The number of `name` (-1 for null). */
  of(name: string | null): number {
    if (name === null) return -1;
    let n = this.#numbers.get(name);
    if (n === undefined) {
      n = this.list.length;
      this.list.push(name);
      this.#numbers.set(name, n);
    }
    return n;
  }
}

/** The name numbered `n` in `names` (null for -1). */
export function nameOf(names: readonly string[], n: number): string | null {
  return n < 0 ? null : (names[n] as string);
}
