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

function decodeOnce(value: string): string {
  let out = '';
  let i = 0;
  while (i < value.length) {
    const c = value.charCodeAt(i);
    if (c === 43 /* + */) {
      out += ' ';
      i++;
    } else if (c === 37 /* % */) {
      const decoded = decodeEscape(value, i);
      out += decoded.text;
      i += decoded.length;
    } else {
      out += value[i];
      i++;
    }
  }
  return out;
}

function decodeEscape(value: string, at: number): { text: string; length: number } {
  const next = value.charCodeAt(at + 1);
  if ((next === 117 || next === 85) /* u U */ && isHex(value, at + 2, 4)) {
    return { text: String.fromCharCode(Number.parseInt(value.slice(at + 2, at + 6), 16)), length: 6 };
  }
  if (isHex(value, at + 1, 2)) {
    return { text: String.fromCharCode(Number.parseInt(value.slice(at + 1, at + 3), 16)), length: 3 };
  }
  return { text: '%', length: 1 };
}

function isHex(value: string, from: number, count: number): boolean {
  if (from + count > value.length) return false;
  for (let i = from; i < from + count; i++) {
    const c = value.charCodeAt(i);
    const hex = (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
    if (!hex) return false;
  }
  return true;
}
