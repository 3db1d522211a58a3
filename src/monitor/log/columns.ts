/**
 * One line of tshark's default text output (tshark.c print_columns): No. right-aligned in 5,
 * Time right-aligned in 10, Source right-aligned in 12, ` → `, Destination left-aligned in 12,
 * then Protocol, Length and Info separated by single spaces.
 */
export function tsharkLine(
  number: number,
  time: string,
  source: string,
  destination: string,
  protocol: string,
  length: number,
  info: string,
): string {
  return `${String(number).padStart(5)} ${time.padStart(10)} ${source.padStart(12)} → ${destination.padEnd(12)} ${protocol} ${length} ${info}`;
}

/** Seconds since the first frame with the capture's precision, as tshark's default `-t r`. */
export function relativeTime(seconds: number, fraction: number, precision: number): string {
  const scale = 10 ** precision;
  let total = seconds * scale + fraction;
  const negative = total < 0;
  if (negative) total = -total;
  const whole = Math.floor(total / scale);
  const frac = total - whole * scale;
  const text = precision > 0 ? `${whole}.${String(frac).padStart(precision, '0')}` : String(whole);
  return negative ? `-${text}` : text;
}
