import { digitCount, type LineBuffer } from './lineBuffer.js';
import { writeRelativeTime } from './relativeTime.js';

/** The Protocol and Info columns of one line, in tshark's words. */
export interface Columns {
  readonly protocol: string;
  readonly info: string;
}

/** ` → ` in UTF-8. */
const ARROW = [0x20, 0xe2, 0x86, 0x92, 0x20] as const;

/**
 * One line of tshark's default text output (tshark.c print_columns), without its line end:
 * No. right-aligned in 5, Time right-aligned in 10, Source right-aligned in 12, ` → `,
 * Destination left-aligned in 12, then Protocol, Length and Info separated by single spaces.
 * `ns` is the time since the capture's first frame, shown with `precision` decimals.
 */
export function writeLine(
  out: LineBuffer,
  number: number,
  ns: number,
  precision: number,
  source: string,
  destination: string,
  c: Columns,
  length: number,
): void {
  out.blanks(5 - digitCount(number));
  out.number(number);
  out.byte(0x20);
  writeRelativeTime(out, ns, precision, 10);
  out.byte(0x20);
  out.blanks(12 - source.length);
  out.text(source);
  for (const b of ARROW) out.byte(b);
  out.text(destination);
  out.blanks(12 - destination.length);
  out.byte(0x20);
  out.text(c.protocol);
  out.byte(0x20);
  out.number(length);
  out.byte(0x20);
  out.text(c.info);
}
