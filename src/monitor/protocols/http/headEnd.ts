/**
 * Where a message head ends — after the blank line, LF or CRLF alike, as both readings of HTTP
 * and the evidence find it — in bytes, or in a head held as latin1 text. -1 when it has not
 * ended yet. `from` lets a search resume where the last one stopped.
 */
export function headEnd(b: Uint8Array, from = 0): number {
  for (let i = from; i < b.length; i++) {
    if (b[i] !== 0x0a) continue;
    if (b[i + 1] === 0x0a) return i + 2;
    if (b[i + 1] === 0x0d && b[i + 2] === 0x0a) return i + 3;
  }
  return -1;
}

export function headEndInText(text: string, from = 0): number {
  for (let i = from; i < text.length; i++) {
    if (text.charCodeAt(i) !== 10) continue;
    if (text.charCodeAt(i + 1) === 10) return i + 2;
    if (text.charCodeAt(i + 1) === 13 && text.charCodeAt(i + 2) === 10) return i + 3;
  }
  return -1;
}
