export interface UdpHeader {
  readonly sourcePort: number;
  readonly destinationPort: number;
  /** The UDP length field (header included). */
  readonly length: number;
  readonly checksum: number;
  readonly payloadOffset: number;
  /** Payload length: the UDP length minus 8, bounded by the IP payload. */
  readonly payloadLength: number;
  readonly error: string | null;
}

/** A UdpHeader a decoder refills packet after packet (./packetDecoder.ts). */
export type MutableUdpHeader = { -readonly [K in keyof UdpHeader]: UdpHeader[K] };

export function newUdpHeader(): MutableUdpHeader {
  return { sourcePort: 0, destinationPort: 0, length: 0, checksum: 0, payloadOffset: 0, payloadLength: 0, error: null };
}

/**
 * Read the UDP header at `at` into `udp`: null when it was read, else the problem that stops
 * decoding. The frame's bytes end at `end`. Offsets set are `b`'s.
 */
export function readUdp(
  udp: MutableUdpHeader,
  b: Uint8Array,
  at: number,
  ipPayloadLength: number,
  end = b.length,
): string | null {
  if (end < at + 8) return `UDP header needs 8 bytes, ${Math.max(0, end - at)} captured`;
  const length = ((b[at + 4] as number) << 8) | (b[at + 5] as number);
  udp.sourcePort = ((b[at] as number) << 8) | (b[at + 1] as number);
  udp.destinationPort = ((b[at + 2] as number) << 8) | (b[at + 3] as number);
  udp.length = length;
  udp.checksum = ((b[at + 6] as number) << 8) | (b[at + 7] as number);
  udp.payloadOffset = at + 8;
  udp.payloadLength = Math.max(0, Math.min(length, ipPayloadLength) - 8);
  udp.error =
    length < 8
      ? `UDP length ${length} is below 8`
      : length > ipPayloadLength
        ? `UDP length ${length} exceeds the IP payload ${ipPayloadLength}`
        : null;
  return null;
}
