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
