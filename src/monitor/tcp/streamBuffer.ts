import { seqAdd, seqDiff } from './seq.js';

/** The furthest ahead of the next expected byte an acknowledgement is believed. */
const MAX_ACK_AHEAD = 1 << 30;

interface Held {
  seq: number;
  data: Uint8Array;
}

/**
 * What one push or flush made available. One for every stream, refilled by every call (a
 * segment costs no object, a connection no arrays of its own, and the arrays keep their
 * storage): read it before the next call on any stream. Only the first `count` entries of
 * `bytes`, `starts`, `ends` and `gaps` are this call's.
 */
export interface Delivery {
  /** How many chunks this call delivered. */
  readonly count: number;
  /**
   * In-order bytes now available, oldest first: chunk i is `bytes[i]` from `starts[i]` to
   * `ends[i]` — offsets, not views, so that a segment read in place (the capture's chunk) costs
   * no object.
   */
  readonly bytes: readonly Uint8Array[];
  readonly starts: readonly number[];
  readonly ends: readonly number[];
  /**
   * Per chunk, the bytes given up right before it (Zeek's `content_gap`): 0 where it follows
   * the previous bytes. Readers resynchronise there.
   */
  readonly gaps: readonly number[];
  /** Bytes skipped over because a gap was given up (the sum of `gaps`). */
  readonly missed: number;
}

const EMPTY = new Uint8Array(0);
/** Nothing held: a stream's array is made when it first holds bytes (most never do). Never pushed to. */
const NO_HELD: Held[] = [];

class Refilled implements Delivery {
  count = 0;
  readonly bytes: Uint8Array[] = [];
  readonly starts: number[] = [];
  readonly ends: number[] = [];
  readonly gaps: number[] = [];
  missed = 0;
  /** A gap given up and not yet followed by a chunk. */
  gapPending = 0;

  /** Emptied for the next call; returns itself. */
  cleared(): Refilled {
    // Entries are overwritten, never cut off: an array emptied by `length = 0` loses its
    // storage, and the next push allocates it again. The bytes are let go (they hold capture chunks).
    for (let i = 0; i < this.count; i++) this.bytes[i] = EMPTY;
    this.count = 0;
    this.missed = 0;
    this.gapPending = 0;
    return this;
  }

  add(bytes: Uint8Array, start: number, end: number): void {
    this.bytes[this.count] = bytes;
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.gaps[this.count] = this.gapPending;
    this.count++;
    this.gapPending = 0;
  }
}

/** The one delivery: the streams are read one call at a time, each delivery read before the next call. */
const DELIVERY = new Refilled();

/**
 * One direction of a TCP stream, put back in order. Overlaps are resolved first-wins: a byte
 * already delivered or already held is never replaced by a later copy (so an attacker cannot
 * rewrite what the monitor saw with a crafted retransmission). Memory is bounded per direction;
 * when the bound is hit the gap is given up and delivery resumes after it.
 */
export class StreamBuffer {
  #next = 0;
  #started = false;
  #held: Held[] = NO_HELD;
  #heldBytes = 0;
  /** How far the receiver acknowledged (valid once `#ackSeen`): bytes before it will never come again. */
  #acked = 0;
  #ackSeen = false;
  /** Out-of-order bytes it may hold while waiting for a gap to fill; beyond this the gap is given up. */
  readonly #maxBuffered: number;

  /** `maxBuffered`: a number, not a limits object, so a connection's two streams cost no object besides their own. */
  constructor(maxBuffered: number) {
    this.#maxBuffered = maxBuffered;
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

  /**
   * Add a segment's payload, `bytes[start, end)` (read in place: a view is made only of bytes
   * held out of order); returns what can now be delivered in order.
   */
  push(seq: number, bytes: Uint8Array, start = 0, end = bytes.length): Delivery {
    const out = DELIVERY.cleared();
    if (!this.#started) this.start(seq);
    if (end <= start) return out;
    let s = seq >>> 0;
    let from = start;
    const behind = seqDiff(this.#next, s);
    if (behind >= end - from) return out;
    if (behind > 0) {
      from += behind;
      s = this.#next;
    }
    if (s === this.#next && this.#held.length === 0) {
      this.#next = seqAdd(s, end - from);
      out.add(bytes, from, end);
      return out;
    }
    this.#hold(s, bytes.subarray(from, end));
    this.#drain(out);
    if (this.#heldBytes > this.#maxBuffered) this.#skipGap(out);
    this.#skipAcked(out);
    return out;
  }

  /**
   * The receiver acknowledged up to `ack`. A gap it acknowledged past was received and only
   * missed by the capture: no copy of it is coming, so it is given up now (Zeek's
   * `content_gap` on an ACK above a hole) rather than when memory runs out or the stream ends.
   * A gap it has not acknowledged stays open: the bytes may still arrive late.
   */
  acked(ack: number): Delivery {
    const out = DELIVERY.cleared();
    this.noteAck(ack);
    this.#skipAcked(out);
    return out;
  }

  /** `acked` where nothing is held (nothing to deliver): the acknowledgement is only remembered. */
  noteAck(ack: number): void {
    if (!this.#started) return;
    const a = ack >>> 0;
    // Only forward, and not absurdly far (a stray or crafted number is no acknowledgement).
    const ahead = seqDiff(a, this.#next);
    if (ahead <= 0 || ahead > MAX_ACK_AHEAD) return;
    if (!this.#ackSeen || seqDiff(a, this.#acked) > 0) this.#acked = a;
    this.#ackSeen = true;
  }

  #skipAcked(out: Refilled): void {
    if (!this.#ackSeen) return;
    while (this.#held.length > 0 && seqDiff(this.#acked, (this.#held[0] as Held).seq) >= 0) this.#skipGap(out);
  }

  /** Deliver everything held, skipping gaps (the connection ended or memory is needed). */
  flush(): Delivery {
    const out = DELIVERY.cleared();
    while (this.#held.length > 0) this.#skipGap(out);
    return out;
  }

  /** Give up the gap before the first held segment and deliver what follows it. */
  #skipGap(out: Refilled): void {
    const first = this.#held[0] as Held;
    const gap = seqDiff(first.seq, this.#next);
    if (gap > 0) {
      out.missed += gap;
      out.gapPending += gap;
      this.#next = first.seq;
    }
    this.#drain(out);
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
    if (this.#held === NO_HELD) this.#held = [];
    for (const p of pieces) {
      // Copy: the frame's bytes belong to the capture buffer, which moves on. (A typed array's
      // copy: a Buffer's `slice` would be a view.)
      this.#held.push({ seq: p.seq, data: new Uint8Array(p.data) });
      this.#heldBytes += p.data.length;
    }
    const base = this.#next;
    this.#held.sort((a, b) => seqDiff(a.seq, base) - seqDiff(b.seq, base));
  }

  #drain(out: Refilled): void {
    while (this.#held.length > 0) {
      const h = this.#held[0] as Held;
      const behind = seqDiff(this.#next, h.seq);
      if (behind < 0) break;
      this.#held.shift();
      this.#heldBytes -= h.data.length;
      if (behind >= h.data.length) continue;
      out.add(h.data, behind, h.data.length);
      this.#next = seqAdd(this.#next, h.data.length - behind);
    }
  }
}
