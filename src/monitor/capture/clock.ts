/** 10^k for k = 0..9: a table, since `**` with a variable exponent is a Math.pow call. */
export const POW10 = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000];

/**
 * Time since the capture's first frame, in nanoseconds: what tshark's relative time column
 * shows and its TCP analysis measures with. One per reading of a capture.
 */
export class CaptureClock {
  #startNs: number | null = null;
  #startSeconds = 0;

  /** Nanoseconds since the first frame given (frames must come in capture order). */
  ns(seconds: number, fraction: number, precision: number): number {
    const fracNs = fraction * (POW10[9 - precision] ?? 10 ** (9 - precision));
    if (this.#startNs === null) {
      // Both kept half a second early, which cancels out below: the sum is a fraction from the
      // first frame on, so the optimizing compiler reads it as a double at once. A whole number
      // would be compiled as a small integer and overflow past 2.1 s of capture, throwing away
      // the compiled code of the monitor's per-frame path (and compiling it again) each time.
      // Every term stays a whole or half number below 2^53: the result is exact.
      this.#startSeconds = seconds - HALF_SECOND;
      this.#startNs = fracNs + HALF_SECOND * 1e9;
    }
    return (seconds - this.#startSeconds) * 1e9 + fracNs - this.#startNs;
  }
}

const HALF_SECOND = 0.5;
