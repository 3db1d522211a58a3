import { addressColumns } from './addressColumns.js';
import { digitCount, type LineBuffer, putAscii, putBlanks, putDecimal } from './lineBuffer.js';
import { putRelativeTime } from './relativeTime.js';

/** The Protocol and Info columns of one line, in tshark's words. */
export interface Columns {
  readonly protocol: string;
  readonly info: string;
}

/** What a head takes besides its addresses and protocol: No., Time, Length and the blanks between. */
const HEAD_BYTES = 128;

/**
 * One line of tshark's default text output (tshark.c print_columns) up to its Info, which the
 * caller writes: No. right-aligned in 5, Time right-aligned in 10, Source right-aligned in 12,
 * ` → `, Destination left-aligned in 12, then Protocol, Length and Info separated by single
 * spaces. `ns` is the time since the capture's first frame, shown with `precision` decimals.
 * Written in one reserved span, the addresses as one copy of their pair's bytes
 * (./addressColumns.ts); a protocol beyond ASCII goes through the encoder.
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
  const addresses = addressColumns(source, destination);
  const b = out.reserve(HEAD_BYTES + addresses.length + protocol.length);
  let at = putBlanks(b, out.length, 5 - digitCount(number));
  at = putDecimal(b, at, number);
  b[at++] = 0x20;
  at = putRelativeTime(b, at, ns, precision, 10);
  b[at++] = 0x20;
  b.set(addresses, at);
  at += addresses.length;
  const protocolEnd = putAscii(b, at, protocol);
  if (protocolEnd < 0) {
    out.advance(at);
    out.text(protocol);
    out.byte(0x20);
    out.number(length);
    out.byte(0x20);
    return;
  }
  b[protocolEnd] = 0x20;
  at = putDecimal(b, protocolEnd + 1, length);
  b[at] = 0x20;
  out.advance(at + 1);
}
