import { createHash } from 'node:crypto';

/** Transformations that re-encode bytes: digests, hex, base64, length, UTF-8 to `%uXXXX`. */

export function hexEncode(input: string): string {
  return Buffer.from(input, 'latin1').toString('hex');
}

export function hexDecode(input: string): string {
  const even = input.length - (input.length % 2);
  return /^[0-9a-fA-F]*$/.test(input) ? Buffer.from(input.slice(0, even), 'hex').toString('latin1') : input;
}

export function sha1(input: string): string {
  return createHash('sha1').update(input, 'latin1').digest().toString('latin1');
}

export function md5(input: string): string {
  return createHash('md5').update(input, 'latin1').digest().toString('latin1');
}

export function length(input: string): string {
  return String(input.length);
}

/** Decodes the leading run of base64 characters (ModSecurity's decoder stops at the first other one). */
export function base64Decode(input: string): string {
  const run = /^[A-Za-z0-9+/]*/.exec(input)?.[0] ?? '';
  return Buffer.from(run, 'base64').toString('latin1');
}

/** `base64DecodeExt`: like base64Decode, but characters outside the alphabet are skipped. */
export function base64DecodeExt(input: string): string {
  return Buffer.from(input.replace(/[^A-Za-z0-9+/]/g, ''), 'base64').toString('latin1');
}

/**
 * `utf8toUnicode`: every well-formed multi-byte UTF-8 sequence becomes `%uXXXX` (lowercase hex,
 * at least four digits), so regexes written for the IIS notation see UTF-8 input too.
 */
export function utf8toUnicode(input: string): string {
  if (!/[\x80-\xff]/.test(input)) return input;
  let out = '';
  const n = input.length;
  let i = 0;
  while (i < n) {
    const c = input.charCodeAt(i);
    const len = c < 0x80 ? 1 : (c & 0xe0) === 0xc0 ? 2 : (c & 0xf0) === 0xe0 ? 3 : (c & 0xf8) === 0xf0 ? 4 : 0;
    if (len === 1 || len === 0 || i + len > n) {
      out += input[i++];
      continue;
    }
    let code = len === 2 ? c & 0x1f : len === 3 ? c & 0x0f : c & 0x07;
    let valid = true;
    for (let k = 1; k < len; k++) {
      const b = input.charCodeAt(i + k);
      if ((b & 0xc0) !== 0x80) {
        valid = false;
        break;
      }
      code = (code << 6) | (b & 0x3f);
    }
    if (!valid) {
      out += input[i++];
      continue;
    }
    out += `%u${code.toString(16).padStart(4, '0')}`;
    i += len;
  }
  return out;
}
