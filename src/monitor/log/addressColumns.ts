/**
 * The Source and Destination columns of a line with what surrounds them — Source right-aligned
 * in 12, ` → `, Destination left-aligned in 12, one blank — as UTF-8 bytes made once per pair
 * of addresses and copied whole into each line: a capture's lines repeat a few pairs (both
 * directions of each conversation), and one copy costs less than padding, scanning and storing
 * the same text byte by byte on every line.
 */

/** Pairs kept at most: past that the table starts again (a scan's many addresses must not grow it without end). */
const MAX_PAIRS = 4096;

/** Made on first use (`columns`): a line's address columns by source, then destination. */
const bySource = new Map<string, Map<string, Uint8Array>>();
let pairs = 0;
/** The pair of the last line, and its reverse (the next line is most often one of them). */
let lastSource = '';
let lastDestination = '';
let lastBytes: Uint8Array = encode('', '');
let reverseBytes: Uint8Array = lastBytes;

/** The bytes of the address columns of a line from `source` to `destination`. */
export function addressColumns(source: string, destination: string): Uint8Array {
  if (source === lastSource && destination === lastDestination) return lastBytes;
  if (source === lastDestination && destination === lastSource) {
    const bytes = reverseBytes;
    reverseBytes = lastBytes;
    lastBytes = bytes;
  } else {
    reverseBytes = lookUp(destination, source);
    lastBytes = lookUp(source, destination);
  }
  lastSource = source;
  lastDestination = destination;
  return lastBytes;
}

function lookUp(source: string, destination: string): Uint8Array {
  let byDestination = bySource.get(source);
  if (byDestination === undefined) {
    if (pairs >= MAX_PAIRS) {
      bySource.clear();
      pairs = 0;
    }
    byDestination = new Map();
    bySource.set(source, byDestination);
  }
  let bytes = byDestination.get(destination);
  if (bytes === undefined) {
    bytes = encode(source, destination);
    byDestination.set(destination, bytes);
    pairs++;
  }
  return bytes;
}

/** Padding counts UTF-16 units, as tshark's columns count the characters of its (ASCII) addresses. */
function encode(source: string, destination: string): Uint8Array {
  const text = `${blanks(12 - source.length)}${source} \u2192 ${destination}${blanks(12 - destination.length)} `;
  return new Uint8Array(Buffer.from(text, 'utf8'));
}

function blanks(n: number): string {
  return n > 0 ? ' '.repeat(n) : '';
}
