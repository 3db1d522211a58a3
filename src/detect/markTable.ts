/**
 * "Marked already?" per rule, emptied in O(1): a mark is the current stamp, and taking a new
 * stamp unmarks everything at once (the table is zeroed only when the stamp wraps around).
 */
export class MarkTable {
  readonly marks: Uint32Array;
  private current = 0;

  constructor(size: number) {
    this.marks = new Uint32Array(size);
  }

  /** A stamp no entry carries yet. */
  nextStamp(): number {
    this.current = (this.current + 1) >>> 0;
    if (this.current === 0) {
      this.marks.fill(0);
      this.current = 1;
    }
    return this.current;
  }
}
