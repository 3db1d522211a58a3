import { ipv4Int } from '../observe/ipText.js';
import { ipv6Groups } from './address.js';

/**
 * The ban list's keys, compact for a list of a million: an IPv4 address as its 32-bit value
 * (a signed int, which V8 keeps unboxed), an IPv6 /64 as a 4-character string of its first
 * four 16-bit groups (a fifth of the bytes of `2001:db8:1:2::/64`).
 */
export type V4Key = number;
export type V6Key = string;

/** The ban list's key of dotted-quad `text` from `start` on (see ../observe/ipText.ts); undefined if it is not one. */
export function ipv4Key(text: string, start = 0): V4Key | undefined {
  return ipv4Int(text, start);
}

/**
 * The /64 key of an IPv6 address (or of a /64 target's network). Node gives remote addresses
 * in canonical form, so the four groups are usually read straight off the text; a `::` among
 * them (or anything unusual) goes through the full parser.
 */
export function ipv6Key(text: string): V6Key | undefined {
  let g0 = 0;
  let g1 = 0;
  let g2 = 0;
  let group = 0;
  let hex = 0;
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const nibble = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
    if (nibble >= 0 && digits < 4) {
      hex = hex * 16 + nibble;
      digits++;
      continue;
    }
    if (c !== 58 || digits === 0) break;
    if (group === 3) return String.fromCharCode(g0, g1, g2, hex);
    if (group === 0) g0 = hex;
    else if (group === 1) g1 = hex;
    else g2 = hex;
    group++;
    hex = 0;
    digits = 0;
  }
  try {
    const g = ipv6Groups(text.split('/')[0] as string);
    return String.fromCharCode(g[0] as number, g[1] as number, g[2] as number, g[3] as number);
  } catch {
    return undefined;
  }
}

export function v4Target(key: V4Key): string {
  const n = key >>> 0;
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}/32`;
}

export function v6Target(key: V6Key): string {
  const groups: string[] = [];
  for (let i = 0; i < 4; i++) groups.push(key.charCodeAt(i).toString(16));
  return `${groups.join(':')}::/64`;
}
