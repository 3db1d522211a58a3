/**
 * Where a message head ends — after the blank line, LF or CRLF alike, as the HTTP framer and
 * the evidence find it. -1 when it has not ended yet. `from` lets a search resume where the
 * last one stopped; `end` bounds the bytes read (a head read in place in a larger chunk).
 */
export function headEnd(b: Uint8Array, from = 0, end = b.length): number {
  for (let i = from; i < end; i++) {
    if (b[i] !== 0x0a) continue;
    if (i + 1 < end && b[i + 1] === 0x0a) return i + 2;
    if (i + 2 < end && b[i + 1] === 0x0d && b[i + 2] === 0x0a) return i + 3;
  }
  return -1;
}
