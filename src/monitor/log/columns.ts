import { digitCount, type LineBuffer, putArrow, putAscii, putBlanks, putDecimal } from './lineBuffer.js';
import { putRelativeTime } from './relativeTime.js';

/** The Protocol and Info columns of one line, in tshark's words. */
export interface Columns {
  readonly protocol: string;
  readonly info: string;
}

/** What a head takes besides its addresses and protocol: No., Time, the arrow, Length and the blanks between. */
const HEAD_BYTES = 128;

/**
 * One line of tshark's default text output (tshark.c print_columns) up to its Info, which the
 * caller writes: No. right-aligned in 5, Time right-aligned in 10, Source right-aligned in 12,
 * ` → `, Destination left-aligned in 12, then Protocol, Length and Info separated by single
 * spaces. `ns` is the time since the capture's first frame, shown with `precision` decimals.
 * Written in one reserved span; an address or protocol beyond ASCII (a MAC name) goes through
 * the encoder.
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
  const b = out.reserve(HEAD_BYTES + source.length + destination.length + protocol.length);
  let at = putBlanks(b, out.length, 5 - digitCount(number));
  at = putDecimal(b, at, number);
  b[at++] = 0x20;
  at = putRelativeTime(b, at, ns, precision, 10);
  b[at++] = 0x20;
  at = putBlanks(b, at, 12 - source.length);
  const sourceEnd = putAscii(b, at, source);
  if (sourceEnd < 0) {
    out.advance(at);
    writeRest(out, source, destination, protocol, length);
    return;
  }
  at = putArrow(b, sourceEnd);
  const destinationEnd = putAscii(b, at, destination);
  const protocolAt = destinationEnd < 0 ? -1 : putBlanks(b, destinationEnd, 12 - destination.length) + 1;
  const protocolEnd = protocolAt < 0 ? -1 : putAscii(b, protocolAt, protocol);
  if (protocolEnd < 0) {
    out.advance(sourceEnd);
    writeRest(out, null, destination, protocol, length);
    return;
  }
  b[protocolAt - 1] = 0x20;
  b[protocolEnd] = 0x20;
  at = putDecimal(b, protocolEnd + 1, length);
  b[at] = 0x20;
  out.advance(at + 1);
}

/** The head from the source address on, through the encoder (text beyond ASCII); `source` null when written already. */
function writeRest(
  out: LineBuffer,
  source: string | null,
  destination: string,
  protocol: string,
  length: number,
): void {
  if (source !== null) out.text(source);
  out.arrow();
  out.text(destination);
  out.blanks(12 - destination.length);
  out.byte(0x20);
  out.text(protocol);
  out.byte(0x20);
  out.number(length);
  out.byte(0x20);
}
