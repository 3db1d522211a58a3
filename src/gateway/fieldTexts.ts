/**
 * The upstream answer's header fields as text. undici hands them over as Buffers, and decoding
 * one is a call into C++ and a new string: two a header, about a tenth of a microsecond each.
 * But a site answers with the same names and mostly the same values again and again (Server,
 * Content-Type, Connection, Accept-Ranges), so the text last decoded for a field of that shape
 * is kept and reused when the bytes are the same — compared in JS, byte by byte, which costs a
 * fraction of a decode. A field that differs (a Date, an ETag) is decoded and replaces it.
 *
 * Bounded: a direct-mapped table of SLOTS strings of at most MAX_CACHED characters, so a site
 * that sends ever new values costs one comparison more per field and no memory.
 */

/** A header field as it comes: a string from node's parser, or a Buffer slice from undici (latin1). */
export type RawField = string | Buffer;

const SLOTS = 256;
const MAX_CACHED = 64;
const recent: string[] = new Array<string>(SLOTS).fill('');

/** `raw` as strings, index for index (latin1: the bytes as they came, which node writes back as latin1). */
export function fieldTexts(raw: readonly RawField[]): string[] {
  const out = new Array<string>(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const f = raw[i] as RawField;
    out[i] = typeof f === 'string' ? f : textOf(f);
  }
  return out;
}

function textOf(bytes: Buffer): string {
  const n = bytes.length;
  if (n === 0) return '';
  if (n > MAX_CACHED) return bytes.toString('latin1');
  const slot =
    (n * 31 + (bytes[0] as number) * 7 + (bytes[n - 1] as number) + (bytes[n >> 1] as number) * 3) & (SLOTS - 1);
  const known = recent[slot] as string;
  if (known.length === n && sameBytes(known, bytes, n)) return known;
  const text = bytes.toString('latin1');
  recent[slot] = text;
  return text;
}

function sameBytes(text: string, bytes: Buffer, n: number): boolean {
  for (let i = 0; i < n; i++) if (text.charCodeAt(i) !== bytes[i]) return false;
  return true;
}
