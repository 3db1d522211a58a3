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
      this.#startSeconds = seconds;
      this.#startNs = fracNs;
    }
    return (seconds - this.#startSeconds) * 1e9 + fracNs - this.#startNs;
  }
}
