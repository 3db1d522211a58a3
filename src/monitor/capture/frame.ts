/** One captured packet as stored in the file, before any decoding. */
export interface Frame {
  /** 1-based position in the capture, as tshark numbers frames. */
  readonly number: number;
  /** Byte offset of the packet record in the file or stream. */
  readonly offset: number;
  /** Whole seconds since the epoch. */
  readonly seconds: number;
  /** Fraction of the second in units of 10^-precision. */
  readonly fraction: number;
  /** Decimal digits of the timestamp: 6 for microseconds, 9 for nanoseconds. */
  readonly precision: number;
  /** LINKTYPE_* value of the interface the packet came from. */
  readonly linkType: number;
  /** Length on the wire (may exceed `data.length` when the snapshot length cut it). */
  readonly originalLength: number;
  /** The captured bytes. A reused frame (./captureParser.ts) makes this view on its first read only. */
  readonly data: Uint8Array;
  /**
   * The bytes `data` views, and where the record lies in them, [start, end): the hot path reads
   * here, so that a packet nobody keeps costs no view. A frame of its own has `data`, 0 and its length.
   */
  readonly bytes: Uint8Array;
  readonly start: number;
  readonly end: number;
}

/** A frame over `data` alone (`bytes` = `data`). */
export function ownFrame(frame: Omit<Frame, 'bytes' | 'start' | 'end'>): Frame {
  return { ...frame, bytes: frame.data, start: 0, end: frame.data.length };
}

/** 10^(precision-3) for precisions 0..9; a table, since `**` with a variable exponent is a Math.pow call. */
const UNITS_PER_MS = [1e-3, 1e-2, 1e-1, 1, 10, 100, 1000, 10_000, 100_000, 1_000_000];

/** Milliseconds since the epoch, for Observations and events. */
export function frameTimeMs(frame: Frame): number {
  const unit = UNITS_PER_MS[frame.precision] ?? 10 ** (frame.precision - 3);
  return frame.seconds * 1000 + frame.fraction / unit;
}
