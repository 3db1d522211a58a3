/** Text forms of addresses, as tshark prints them (IPv6 per RFC 5952, lower-case hex). */

import { formatIPv6 } from '../../observe/ipText.js';

/** Dotted-quad text of the IPv4 address at `at`. */
export function ipv4Text(b: Uint8Array, at: number): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

const V4_CACHE_SIZE = 4096;

/**
 * Recently formatted IPv4 addresses, direct-mapped by a hash of the address, for one reader of
 * one capture. The same few addresses recur packet after packet: the cache saves formatting
 * and, because the strings are then the same objects, makes the flow-table keys and address
 * comparisons cheaper too.
 */
export class Ipv4Texts {
  readonly #keys = new Float64Array(V4_CACHE_SIZE).fill(-1);
  readonly #texts: string[] = new Array<string>(V4_CACHE_SIZE).fill('');

  text(b: Uint8Array, at: number): string {
    const n =
      (((b[at] as number) << 24) |
        ((b[at + 1] as number) << 16) |
        ((b[at + 2] as number) << 8) |
        (b[at + 3] as number)) >>>
      0;
    const slot = (n ^ (n >>> 12) ^ (n >>> 24)) & (V4_CACHE_SIZE - 1);
    if (this.#keys[slot] === n) return this.#texts[slot] as string;
    const text = ipv4Text(b, at);
    this.#keys[slot] = n;
    this.#texts[slot] = text;
    return text;
  }
}

export function ipv6Text(b: Uint8Array, at: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(((b[at + 2 * i] as number) << 8) | (b[at + 2 * i + 1] as number));
  return formatIPv6(groups);
}

export function macText(b: Uint8Array, at: number): string {
  let s = '';
  for (let i = 0; i < 6; i++) s += (i ? ':' : '') + (b[at + i] as number).toString(16).padStart(2, '0');
  return s;
}
