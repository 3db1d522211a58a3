import { POW10 } from '../capture/clock.js';
import { digitCount, type LineBuffer } from './lineBuffer.js';

/**
 * tshark's relative time column, right-aligned in `width`: seconds with `precision` decimals,
 * truncated toward zero.
 */
export function writeRelativeTime(out: LineBuffer, ns: number, precision: number, width: number): void {
  const unit = POW10[9 - precision] ?? 10 ** (9 - precision);
  const negative = ns < 0;
  const abs = Math.floor(Math.abs(ns) / unit);
  const scale = POW10[precision] ?? 10 ** precision;
  const whole = Math.floor(abs / scale);
  const length = (negative ? 1 : 0) + digitCount(whole) + (precision > 0 ? precision + 1 : 0);
  out.blanks(width - length);
  if (negative) out.byte(0x2d);
  out.number(whole);
  if (precision <= 0) return;
  out.byte(0x2e);
  out.zeroPadded(abs - whole * scale, precision);
}
