/** The Protocol and Info columns of one line, in tshark's words. */
export interface Columns {
  readonly protocol: string;
  readonly info: string;
}

/**
 * Lines of tshark's default text output (tshark.c print_columns): No. right-aligned in 5, Time
 * right-aligned in 10, Source right-aligned in 12, ` → `, Destination left-aligned in 12, then
 * Protocol, Length and Info separated by single spaces.
 *
 * A line is joined into one flat string rather than added up: lines may live on as evidence,
 * and a line built by `+` is a tree of a dozen string pieces that the garbage collector would
 * copy, piece by piece, for as long as it lives. The padding comes from a table of blanks, so
 * the columns are not copied once more by padStart/padEnd; the pieces' array is reused from
 * line to line by the one log that owns this formatter.
 */
export class LineFormatter {
  readonly #parts: string[] = ['', '', ' ', '', '', ' ', '', '', ' → ', '', '', ' ', '', ' ', '', ' ', ''];

  line(
    number: number,
    time: string,
    source: string,
    destination: string,
    protocol: string,
    length: number,
    info: string,
  ): string {
    const parts = this.#parts;
    const no = String(number);
    parts[0] = blanks(5 - no.length);
    parts[1] = no;
    parts[3] = blanks(10 - time.length);
    parts[4] = time;
    parts[6] = blanks(12 - source.length);
    parts[7] = source;
    parts[9] = destination;
    parts[10] = blanks(12 - destination.length);
    parts[12] = protocol;
    parts[14] = String(length);
    parts[16] = info;
    return parts.join('');
  }
}

/** Runs of 0 to 12 blanks: the widest padding a column needs. */
const BLANKS = Array.from({ length: 13 }, (_, n) => ' '.repeat(n));

function blanks(n: number): string {
  return n <= 0 ? '' : (BLANKS[n] as string);
}
