/**
 * Percent-decoding as an attacker's target server would do it, repeated until the value stops
 * changing (at most `MAX_ROUNDS`), so `%252e%252e%252f` becomes `../`. Also decodes the IIS
 * `%uXXXX` form and, in query strings, `+` as space. Invalid escapes are left as they are
 * (never throws, unlike `decodeURIComponent`). Bytes become latin1 characters: matching works
 * on bytes, so multi-byte UTF-8 stays as its bytes.
 */
export const MAX_ROUNDS = 3;

export function urlDecode(value: string): string {
  let current = value;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    if (current.indexOf('%') < 0 && current.indexOf('+') < 0) return current;
    const next = decodeOnce(current);
    if (next === current) return current;
    current = next;
  }
  return current;
}

/** One left-to-right pass: `%uXXXX`, `%XX` and `+`; anything else (a lone `%`) stays. */
const ESCAPE = /%[uU]([0-9a-fA-F]{4})|%([0-9a-fA-F]{2})|\+/g;

function decodeOnce(value: string): string {
  return value.replace(ESCAPE, (match, wide: string | undefined, byte: string | undefined) => {
    if (wide !== undefined) return String.fromCharCode(Number.parseInt(wide, 16));
    if (byte !== undefined) return String.fromCharCode(Number.parseInt(byte, 16));
    return match === '+' ? ' ' : match;
  });
}
