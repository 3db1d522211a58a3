import type { Frame } from './frame.js';

const EMPTY = new Uint8Array(0);

/**
 * The one Frame a capture parser refills record after record (../capture/captureParser.ts): it
 * carries the chunk and the record's bounds, and makes the record's `data` view only when a
 * reader asks for it — the decoder's common path reads `bytes` at offsets, so most packets
 * cost no object at all.
 */
export class ReusedFrame implements Frame {
  number = 0;
  offset = 0;
  seconds = 0;
  fraction = 0;
  precision = 6;
  linkType = 0;
  originalLength = 0;
  bytes: Uint8Array = EMPTY;
  start = 0;
  end = 0;
  #data: Uint8Array | null = null;

  get data(): Uint8Array {
    if (this.#data === null) this.#data = this.bytes.subarray(this.start, this.end);
    return this.#data;
  }

  /** Point at the record [start, end) of `bytes`; the previous record's view is dropped. */
  refill(bytes: Uint8Array, start: number, end: number): void {
    this.bytes = bytes;
    this.start = start;
    this.end = end;
    this.#data = null;
  }
}
