import { hexByte, isHex, isHexRun, lowByteOfWide } from './hex.js';

/**
 * `urlDecode` and `urlDecodeUni` exactly as ModSecurity v2 decodes (one pass, not repeated:
 * CRS lists the transformation again where it wants a second round). Invalid escapes stay as
 * they are; `+` is a space.
 */
export function urlDecode(input: string): string {
  if (input.indexOf('%') < 0 && input.indexOf('+') < 0) return input;
  return decode(input, false);
}

/** Also the IIS `%uXXXX` form, reduced to a byte as ModSecurity does without a unicode map. */
export function urlDecodeUni(input: string): string {
  if (input.indexOf('%') < 0 && input.indexOf('+') < 0) return input;
  return decode(input, true);
}

function decode(input: string, wide: boolean): string {
  const n = input.length;
  let out = '';
  let i = 0;
  while (i < n) {
    const c = input.charCodeAt(i);
    if (c === 37 /* % */) {
      const next = input.charCodeAt(i + 1);
      if (wide && (next === 117 || next === 85) /* u U */) {
        if (isHexRun(input, i + 2, 4)) {
          out += String.fromCharCode(lowByteOfWide(input, i + 2));
          i += 6;
        } else {
          out += input.slice(i, i + 2);
          i += 2;
        }
      } else if (i + 2 < n && isHex(next) && isHex(input.charCodeAt(i + 2))) {
        out += String.fromCharCode(hexByte(input, i + 1));
        i += 3;
      } else {
        out += '%';
        i++;
      }
    } else {
      out += c === 43 /* + */ ? ' ' : input[i];
      i++;
    }
  }
  return out;
}
