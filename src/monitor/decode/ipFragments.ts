import { type DecodedPacket, decodeReassembled } from './packet.js';

/**
 * IPv4 and IPv6 fragment reassembly, as tshark does it by default: the fragment that completes
 * a datagram is decoded as the whole datagram (its UDP, ICMP or TCP header and all its data),
 * so a datagram split to slip past a per-packet check is seen whole. The others stay
 * fragments.
 *
 * Complete means covered without a hole from offset 0 to the end the last fragment (no "more
 * fragments" flag) gives. Overlaps are resolved as tshark resolves them: in offset order, a
 * fragment only adds the bytes past what the ones before it covered, so the first data at an
 * offset wins; data past the end is dropped (teardrop's overlapping fragments give a datagram
 * shorter than its UDP header says, which the UDP columns then report).
 *
 * Memory is bounded: at most MAX_PENDING datagrams and MAX_PENDING_BYTES fragment bytes wait,
 * the oldest dropped first; a fragment reaching past 65535 bytes is never stored.
 */
export class IpReassembler {
  static readonly MAX_PENDING = 4096;
  static readonly MAX_PENDING_BYTES = 16 * 1024 * 1024;
  static readonly MAX_DATAGRAM = 65535;

  /** Datagrams being reassembled, oldest first (Map order). */
  readonly #pending = new Map<string, Pending>();
  #pendingBytes = 0;

  /** `p` itself, or the whole datagram when `p` is the fragment that completes it. */
  packet(p: DecodedPacket): DecodedPacket {
    const ip = p.ip;
    if (ip === null || ip.error !== null || (ip.fragmentOffset === 0 && !ip.moreFragments)) return p;
    const data = p.frame.data.subarray(
      ip.payloadOffset,
      Math.min(p.frame.data.length, ip.payloadOffset + ip.payloadLength),
    );
    const end = ip.fragmentOffset + data.length;
    if (end > IpReassembler.MAX_DATAGRAM) return p;
    const key = `${ip.version}|${ip.source}|${ip.destination}|${ip.protocol}|${ip.id}`;
    let datagram = this.#pending.get(key);
    if (datagram === undefined) {
      datagram = { pieces: [], end: -1, bytes: 0 };
      this.#pending.set(key, datagram);
    }
    datagram.pieces.push({ offset: ip.fragmentOffset, data: new Uint8Array(data) });
    datagram.bytes += data.length;
    this.#pendingBytes += data.length;
    if (!ip.moreFragments) datagram.end = end;
    const whole = datagram.end >= 0 ? assemble(datagram) : null;
    if (whole !== null) {
      this.#forget(key, datagram);
      return decodeReassembled(p, whole);
    }
    this.#bound();
    return p;
  }

  #forget(key: string, datagram: Pending): void {
    this.#pending.delete(key);
    this.#pendingBytes -= datagram.bytes;
  }

  #bound(): void {
    for (const [key, datagram] of this.#pending) {
      if (this.#pending.size <= IpReassembler.MAX_PENDING && this.#pendingBytes <= IpReassembler.MAX_PENDING_BYTES)
        break;
      this.#forget(key, datagram);
    }
  }
}

interface Piece {
  readonly offset: number;
  readonly data: Uint8Array;
}

interface Pending {
  readonly pieces: Piece[];
  /** Where the datagram ends, once its last fragment is in; -1 before. */
  end: number;
  bytes: number;
}

/** The datagram's payload when its pieces cover 0..end without a hole, else null. */
function assemble(datagram: Pending): Uint8Array | null {
  // Stable sort: at equal offsets, the first to arrive comes first and wins.
  const pieces = [...datagram.pieces].sort((a, b) => a.offset - b.offset);
  const end = datagram.end;
  let covered = 0;
  for (const piece of pieces) {
    if (piece.offset > covered) return null;
    covered = Math.max(covered, piece.offset + piece.data.length);
    if (covered >= end) break;
  }
  if (covered < end) return null;
  const out = new Uint8Array(end);
  let filled = 0;
  for (const piece of pieces) {
    if (filled >= end) break;
    const from = filled - piece.offset;
    if (from >= piece.data.length) continue;
    const take = piece.data.subarray(from, Math.min(piece.data.length, end - piece.offset));
    out.set(take, filled);
    filled += take.length;
  }
  return out;
}
