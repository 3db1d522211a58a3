import { seqAdd, seqDiff } from './seq.js';

/** Bounds on what one direction of one connection may hold while waiting for a gap to fill. */
export interface StreamLimits {
  /** Out-of-order bytes kept per direction; beyond this the gap is given up. */
  readonly maxBuffered: number;
}

interface Held {
  seq: number;
  data: Uint8Array;
}

/**
 * What one push or flush made available. One per stream, refilled by every call (a segment
 * costs no object): read it before the next.
 */
export interface Delivery {
  /** In-order bytes now available, oldest first. */
  readonly chunks: Uint8Array[];
  /** Bytes skipped over because a gap was given up. */
  readonly missed: number;
}

class Refilled implements Delivery {
  readonly chunks: Uint8Array[] = [];
  missed = 0;

  /** Emptied for the next call; returns itself. */
  cleared(): Refilled {
    // Setting an array's length costs a call even when it changes nothing.
    if (this.chunks.length !== 0) this.chunks.length = 0;
    this.missed = 0;
    return this;
  }
}

/**
 * One direction of a TCP stream, put back in order. Overlaps are resolved first-wins: a byte
 * already delivered or already held is never replaced by a later copy (so an attacker cannot
 * rewrite what the monitor saw with a crafted retransmission). Memory is bounded per direction;
 * when the bound is hit the gap is given up and delivery resumes after it.
 */
export class StreamBuffer {
  #next = 0;
  #started = false;
  #held: Held[] = [];
  #heldBytes = 0;
  readonly #limits: StreamLimits;
  readonly #delivery = new Refilled();

  constructor(limits: StreamLimits) {
    this.#limits = limits;
  }

  get bufferedBytes(): number {
    return this.#heldBytes;
  }

  /** The sequence number of the first data byte (after the SYN). */
  start(isn: number): void {
    if (this.#started) return;
    this.#next = isn >>> 0;
    this.#started = true;
  }

  /** Add a segment's payload; returns what can now be delivered in order. */
  push(seq: number, data: Uint8Array): Delivery {
    const out = this.#delivery.cleared();
    if (!this.#started) this.start(seq);
    if (data.length === 0) return out;
    let s = seq >>> 0;
    let d = data;
    const behind = seqDiff(this.#next, s);
    if (behind >= d.length) return out;
    if (behind > 0) {
      d = d.subarray(behind);
      s = this.#next;
    }
    if (s === this.#next && this.#held.length === 0) {
      this.#next = seqAdd(s, d.length);
      out.chunks.push(d);
      return out;
    }
    this.#hold(s, d);
    this.#drain(out.chunks);
    if (this.#heldBytes > this.#limits.maxBuffered) this.#skipGap(out);
    return out;
  }

  /** Deliver everything held, skipping gaps (the connection ended or memory is needed). */
  flush(): Delivery {
    const out = this.#delivery.cleared();
    while (this.#held.length > 0) this.#skipGap(out);
    return out;
  }

  /** Give up the gap before the first held segment and deliver what follows it. */
  #skipGap(out: Refilled): void {
    const first = this.#held[0] as Held;
    const gap = seqDiff(first.seq, this.#next);
    if (gap > 0) {
      out.missed += gap;
      this.#next = first.seq;
    }
    this.#drain(out.chunks);
  }

  /** Keep the parts of [s, s+len) not already held (first-wins), in sequence order. */
  #hold(s: number, d: Uint8Array): void {
    const pieces: Held[] = [{ seq: s, data: d }];
    for (const h of this.#held) {
      const hEnd = seqAdd(h.seq, h.data.length);
      for (let i = pieces.length - 1; i >= 0; i--) {
        const p = pieces[i] as Held;
        const pEnd = seqAdd(p.seq, p.data.length);
        if (seqDiff(pEnd, h.seq) <= 0 || seqDiff(hEnd, p.seq) <= 0) continue;
        const replaced: Held[] = [];
        const before = seqDiff(h.seq, p.seq);
        if (before > 0) replaced.push({ seq: p.seq, data: p.data.subarray(0, before) });
        const after = seqDiff(pEnd, hEnd);
        if (after > 0) replaced.push({ seq: hEnd, data: p.data.subarray(p.data.length - after) });
        pieces.splice(i, 1, ...replaced);
      }
    }
    for (const p of pieces) {
      // Copy: the frame's bytes belong to the capture buffer, which moves on.
      this.#held.push({ seq: p.seq, data: p.data.slice() });
      this.#heldBytes += p.data.length;
    }
    const base = this.#next;
    this.#held.sort((a, b) => seqDiff(a.seq, base) - seqDiff(b.seq, base));
  }

  #drain(out: Uint8Array[]): void {
    while (this.#held.length > 0) {
      const h = this.#held[0] as Held;
      const behind = seqDiff(this.#next, h.seq);
      if (behind < 0) break;
      this.#held.shift();
      this.#heldBytes -= h.data.length;
      if (behind >= h.data.length) continue;
      const d = h.data.subarray(behind);
      out.push(d);
      this.#next = seqAdd(this.#next, d.length);
    }
  }
}
