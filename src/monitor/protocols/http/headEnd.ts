/**
 * Where a message head ends — after the blank line, LF or CRLF alike, as the HTTP framer and
 * the evidence find it. -1 when it has not ended yet. `from` lets a search resume where the
 * last one stopped.
 */
export function headEnd(b: Uint8Array, from = 0): number {
  for (let i = from; i < b.length; i++) {
    if (b[i] !== 0x0a) continue;
    if (b[i + 1] === 0x0a) return i + 2;
    if (b[i + 1] === 0x0d && b[i + 2] === 0x0a) return i + 3;
  }
  return -1;
}
