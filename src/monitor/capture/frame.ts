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
  readonly data: Uint8Array;
}

/** Milliseconds since the epoch, for Observations and events. */
export function frameTimeMs(frame: Frame): number {
  return frame.seconds * 1000 + frame.fraction / 10 ** (frame.precision - 3);
}
