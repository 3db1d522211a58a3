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

export function decodeUdp(b: Uint8Array, at: number, ipPayloadLength: number): UdpHeader | { error: string } {
  if (b.length < at + 8) return { error: `UDP header needs 8 bytes, ${Math.max(0, b.length - at)} captured` };
  const length = ((b[at + 4] as number) << 8) | (b[at + 5] as number);
  let error: string | null = null;
  if (length < 8) error = `UDP length ${length} is below 8`;
  else if (length > ipPayloadLength) error = `UDP length ${length} exceeds the IP payload ${ipPayloadLength}`;
  return {
    sourcePort: ((b[at] as number) << 8) | (b[at + 1] as number),
    destinationPort: ((b[at + 2] as number) << 8) | (b[at + 3] as number),
    length,
    checksum: ((b[at + 6] as number) << 8) | (b[at + 7] as number),
    payloadOffset: at + 8,
    payloadLength: Math.max(0, Math.min(length, ipPayloadLength) - 8),
    error,
  };
}
