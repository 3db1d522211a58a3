import { POW10 } from '../capture/clock.js';

const ZEROS = '000000000';

/** tshark's relative time column: seconds with `precision` decimals, truncated toward zero. */
export function relativeText(ns: number, precision: number): string {
  const unit = POW10[9 - precision] ?? 10 ** (9 - precision);
  const negative = ns < 0;
  const abs = Math.floor(Math.abs(ns) / unit);
  const scale = POW10[precision] ?? 10 ** precision;
  const whole = Math.floor(abs / scale);
  const sign = negative ? '-' : '';
  if (precision <= 0) return `${sign}${whole}`;
  return `${sign}${whole}.${fractionDigits(abs - whole * scale, precision)}`;
}

/** '000' to '999': microsecond and nanosecond fractions are read off in threes, not formatted. */
const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/** `frac` (below 10^precision) as exactly `precision` digits. */
function fractionDigits(frac: number, precision: number): string {
  if (precision === 6) return (THREE_DIGITS[Math.floor(frac / 1000)] as string) + THREE_DIGITS[frac % 1000];
  if (precision === 9) {
    const high = THREE_DIGITS[Math.floor(frac / 1_000_000)] as string;
    return high + THREE_DIGITS[Math.floor(frac / 1000) % 1000] + THREE_DIGITS[frac % 1000];
  }
  const text = String(frac);
  return ZEROS.slice(0, precision - text.length) + text;
}
