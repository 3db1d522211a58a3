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
