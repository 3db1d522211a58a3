import { isHex } from './hex.js';

/**
 * `htmlEntityDecode` as ModSecurity v2 does it: numeric references (`&#60;`, `&#x3c;`, the `;`
 * optional) become the low byte of their number, and of the named ones only `quot`, `amp`,
 * `lt`, `gt` and `nbsp` are known. CRS's regexes were written against exactly this.
 */
const NAMED: Readonly<Record<string, string>> = { quot: '"', amp: '&', lt: '<', gt: '>', nbsp: '\xa0' };

export function htmlEntityDecode(input: string): string {
  if (input.indexOf('&') < 0) return input;
  const n = input.length;
  let out = '';
  let i = 0;
  while (i < n) {
    if (input.charCodeAt(i) !== 38 /* & */ || i + 1 >= n) {
      out += input[i++];
      continue;
    }
    let k = i + 1;
    if (input[k] === '#') {
      if (k + 1 >= n) {
        out += input.slice(i, i + 2);
        i += 2;
        continue;
      }
      k++;
      const hex = input[k] === 'x' || input[k] === 'X';
      if (hex) {
        if (k + 1 >= n) {
          out += input.slice(i, i + 3);
          i += 3;
          continue;
        }
        k++;
      }
      let j = k;
      while (j < n && (hex ? isHex(input.charCodeAt(j)) : isDigit(input.charCodeAt(j)))) j++;
      if (j === k) {
        const copy = hex ? 3 : 2;
        out += input.slice(i, i + copy);
        i += copy;
        continue;
      }
      out += String.fromCharCode(lowByte(input.slice(k, j), hex ? 16 : 10));
      i = j < n && input[j] === ';' ? j + 1 : j;
      continue;
    }
    let j = k;
    while (j < n && isAlnum(input.charCodeAt(j))) j++;
    const name = input.slice(k, j).toLowerCase();
    const decoded = j > k ? NAMED[name] : undefined;
    if (decoded === undefined) {
      // ModSecurity copies the ampersand and the unknown name, then goes on after them.
      const copy = j > k ? j - k + 1 : 1;
      out += input.slice(i, i + copy);
      i += copy;
      continue;
    }
    out += decoded;
    i = j < n && input[j] === ';' ? j + 1 : j;
  }
  return out;
}

/** C's `(unsigned char)strtol(digits)`: an overflowing number saturates at LONG_MAX, whose low byte is 0xff. */
function lowByte(digits: string, radix: number): number {
  const value = Number.parseInt(digits, radix);
  return Number.isSafeInteger(value) ? value & 0xff : 0xff;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isAlnum(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
