import { u32 } from './bytes.js';
import type { DecodedPacket } from './packet.js';

/**
 * The key of a packet's 4-tuple, the same in both directions: the packet log's conversations
 * and the tracker's connections are found by it, once per TCP packet. Made of the raw address
 * words and ports as UTF-16 units (6 for IPv4, 18 for IPv6): a short flat string, cheap to
 * build and to hash, where the addresses' text joined by separators was neither.
 */
export function flowKey(p: DecodedPacket, sourcePort: number, destinationPort: number): string {
  const b = p.frame.bytes;
  const at = p.frame.start + p.link.offset;
  if (p.ip?.version === 4) {
    const src = u32(b, at + 12);
    const dst = u32(b, at + 16);
    return src < dst || (src === dst && sourcePort <= destinationPort)
      ? String.fromCharCode(src >>> 16, src & 0xffff, sourcePort, dst >>> 16, dst & 0xffff, destinationPort)
      : String.fromCharCode(dst >>> 16, dst & 0xffff, destinationPort, src >>> 16, src & 0xffff, sourcePort);
  }
  const src = ipv6Words(b, at + 8, sourcePort);
  const dst = ipv6Words(b, at + 24, destinationPort);
  return src < dst ? src + dst : dst + src;
}

/** An IPv6 address and port as 9 units; comparing two such strings orders the endpoints. */
function ipv6Words(b: Uint8Array, at: number, port: number): string {
  const w = (i: number): number => ((b[at + 2 * i] as number) << 8) | (b[at + 2 * i + 1] as number);
  return String.fromCharCode(w(0), w(1), w(2), w(3), w(4), w(5), w(6), w(7), port);
}

/** Slots of a FlowKeys cache: about the flows a busy link interleaves at once (a power of two). */
const SLOTS = 4096;

/**
 * IPv4 flow keys remembered by their 4-tuple, direct-mapped: a packet of a flow seen lately gets
 * the string its flow already has, so the key costs no string per packet (nor a rehash in the
 * table). A slot holds one tuple; a colliding flow takes it over (a miss costs only a new string),
 * so hostile traffic can make misses, never a wrong key.
 */
export class FlowKeys {
  /** Per slot: lower endpoint's address, higher endpoint's address, their ports (lower's high). */
  readonly #tuples = new Uint32Array(SLOTS * 3);
  readonly #keys: string[] = new Array<string>(SLOTS).fill('');

  key(p: DecodedPacket, sourcePort: number, destinationPort: number): string {
    if (p.ip?.version !== 4) return flowKey(p, sourcePort, destinationPort);
    const b = p.frame.bytes;
    const at = p.frame.start + p.link.offset;
    const src = u32(b, at + 12);
    const dst = u32(b, at + 16);
    // The endpoints in flowKey's order, so that both directions find the slot.
    const forward = src < dst || (src === dst && sourcePort <= destinationPort);
    const low = forward ? src : dst;
    const high = forward ? dst : src;
    const ports = (forward ? (sourcePort << 16) | destinationPort : (destinationPort << 16) | sourcePort) >>> 0;
    let h = Math.imul(low, 0x9e3779b1) ^ Math.imul(high, 0x85ebca6b) ^ Math.imul(ports, 0xc2b2ae35);
    h ^= h >>> 15;
    const slot = h & (SLOTS - 1);
    const t = this.#tuples;
    const i = slot * 3;
    const known = this.#keys[slot] as string;
    if (known !== '' && t[i] === low && t[i + 1] === high && t[i + 2] === ports) return known;
    const key = flowKey(p, sourcePort, destinationPort);
    t[i] = low;
    t[i + 1] = high;
    t[i + 2] = ports;
    this.#keys[slot] = key;
    return key;
  }
}
