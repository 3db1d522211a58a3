import { digitCount, type LineBuffer } from './lineBuffer.js';
import { writeRelativeTime } from './relativeTime.js';

/** The Protocol and Info columns of one line, in tshark's words. */
export interface Columns {
  readonly protocol: string;
  readonly info: string;
}

/**
 * One line of tshark's default text output (tshark.c print_columns) up to its Info, which the
 * caller writes: No. right-aligned in 5, Time right-aligned in 10, Source right-aligned in 12,
 * ` → `, Destination left-aligned in 12, then Protocol, Length and Info separated by single
 * spaces. `ns` is the time since the capture's first frame, shown with `precision` decimals.
 */
export function writeHead(
  out: LineBuffer,
  number: number,
  ns: number,
  precision: number,
  source: string,
  destination: string,
  protocol: string,
  length: number,
): void {
  out.blanks(5 - digitCount(number));
  out.number(number);
  out.byte(0x20);
  writeRelativeTime(out, ns, precision, 10);
  out.byte(0x20);
  out.blanks(12 - source.length);
  out.text(source);
  out.arrow();
  out.text(destination);
  out.blanks(12 - destination.length);
  out.byte(0x20);
  out.text(protocol);
  out.byte(0x20);
  out.number(length);
  out.byte(0x20);
}
