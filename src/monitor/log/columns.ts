/**
 * One line of tshark's default text output (tshark.c print_columns): No. right-aligned in 5,
 * Time right-aligned in 10, Source right-aligned in 12, ` → `, Destination left-aligned in 12,
 * then Protocol, Length and Info separated by single spaces.
 *
 * The line is joined into one flat string rather than added up: lines live on as connection
 * evidence, and a line built by `+` is a tree of a dozen string pieces that the garbage
 * collector would copy, piece by piece, for as long as the connection lasts.
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
  const parts = LINE_PARTS;
  parts[0] = String(number).padStart(5);
  parts[2] = time.padStart(10);
  parts[4] = source.padStart(12);
  parts[6] = destination.padEnd(12);
  parts[8] = protocol;
  parts[10] = String(length);
  parts[12] = info;
  return parts.join('');
}

/** The line's pieces and separators, reused from line to line (the log is written by one caller at a time). */
const LINE_PARTS: string[] = ['', ' ', '', ' ', '', ' → ', '', ' ', '', ' ', '', ' ', ''];
