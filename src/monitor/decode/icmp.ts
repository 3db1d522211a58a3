export interface IcmpHeader {
  readonly version: 4 | 6;
  readonly type: number;
  readonly code: number;
  /** Echo identifier and sequence (the next 4 bytes), meaningful for echo messages. */
  readonly id: number;
  readonly seq: number;
  readonly payloadOffset: number;
  readonly payloadLength: number;
}

export function decodeIcmp(
  version: 4 | 6,
  b: Uint8Array,
  at: number,
  ipPayloadLength: number,
): IcmpHeader | { error: string } {
  if (b.length < at + 4) return { error: `ICMP header needs 4 bytes, ${Math.max(0, b.length - at)} captured` };
  const hasRest = b.length >= at + 8;
  return {
    version,
    type: b[at] as number,
    code: b[at + 1] as number,
    id: hasRest ? ((b[at + 4] as number) << 8) | (b[at + 5] as number) : 0,
    seq: hasRest ? ((b[at + 6] as number) << 8) | (b[at + 7] as number) : 0,
    payloadOffset: at + 8,
    payloadLength: Math.max(0, ipPayloadLength - 8),
  };
}
