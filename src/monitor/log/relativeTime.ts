import { POW10 } from '../capture/clock.js';
import { digitCount, type LineBuffer, putBlanks, putDecimal, putZeroPadded } from './lineBuffer.js';

/**
 * tshark's relative time column, right-aligned in `width`: seconds with `precision` decimals,
 * truncated toward zero.
 */
export function writeRelativeTime(out: LineBuffer, ns: number, precision: number, width: number): void {
  const b = out.reserve(width + 32);
  out.advance(putRelativeTime(b, out.length, ns, precision, width));
}

/** writeRelativeTime into a span reserved for it (at least `width` + 32 bytes); returns the end. */
export function putRelativeTime(b: Uint8Array, at: number, ns: number, precision: number, width: number): number {
  const unit = POW10[9 - precision] ?? 10 ** (9 - precision);
  const negative = ns < 0;
  // Not Math.abs, which gives a whole number back as a small integer: the division would be
  // compiled for small integers and its code thrown away once the time passes 2^31 ns (2.1 s
  // into a capture). The clock's times are doubles (../capture/clock.ts), and so is their negation.
  const abs = Math.floor((negative ? -ns : ns) / unit);
  const scale = POW10[precision] ?? 10 ** precision;
  const whole = Math.floor(abs / scale);
  const length = (negative ? 1 : 0) + digitCount(whole) + (precision > 0 ? precision + 1 : 0);
  at = putBlanks(b, at, width - length);
  if (negative) b[at++] = 0x2d;
  at = putDecimal(b, at, whole);
  if (precision <= 0) return at;
  b[at] = 0x2e;
  return putZeroPadded(b, at + 1, abs - whole * scale, precision);
}
