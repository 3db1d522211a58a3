import { urlDecode } from '../transformations/urlDecoding.js';

/** A name and value as a body processor or the query string gives them. */
export interface Argument {
  readonly name: string;
  readonly value: string;
}

/**
 * `a=1&b=2` into arguments, as ModSecurity v2 splits a query string or an urlencoded body:
 * `&` separates, the first `=` splits, names and values are URL-decoded (`+` a space, bad
 * escapes kept), empty pieces are skipped and a piece without `=` is a name with an empty value.
 */
export function parseUrlencoded(text: string): Argument[] {
  const out: Argument[] = [];
  if (text === '') return out;
  for (const piece of text.split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    const name = eq < 0 ? piece : piece.slice(0, eq);
    const value = eq < 0 ? '' : piece.slice(eq + 1);
    out.push({ name: urlDecode(name), value: urlDecode(value) });
  }
  return out;
}
