import { u32 } from './bytes.js';

/** TCP header flags, by bit. */
export const TCP_FLAGS = {
  FIN: 0x01,
  SYN: 0x02,
  RST: 0x04,
  PSH: 0x08,
  ACK: 0x10,
  URG: 0x20,
  ECE: 0x40,
  CWR: 0x80,
  AE: 0x100,
} as const;

export interface TcpHeader {
  readonly sourcePort: number;
  readonly destinationPort: number;
  readonly seq: number;
  readonly ack: number;
  readonly flags: number;
  readonly window: number;
  readonly urgent: number;
  readonly headerLength: number;
  /**
   * Where the options lie in the frame, [optionsOffset, optionsEnd): read in place
   * (`optionLength`) by the few that need them, so no option objects are made per packet.
   */
  readonly optionsOffset: number;
  readonly optionsEnd: number;
  /** Where the payload starts in the frame, and how long it is per the IP header. */
  readonly payloadOffset: number;
  readonly payloadLength: number;
  readonly error: string | null;
}

/** Decode the TCP header at `at`; `segmentLength` is the IP payload length. */
export function decodeTcp(b: Uint8Array, at: number, segmentLength: number): TcpHeader | { error: string } {
  if (b.length < at + 20) return { error: `TCP header needs 20 bytes, ${Math.max(0, b.length - at)} captured` };
  const headerLength = ((b[at + 12] as number) >> 4) * 4;
  if (headerLength < 20) return { error: `TCP header length ${headerLength} is below 20` };
  let error: string | null = null;
  if (headerLength > segmentLength) error = `TCP header length ${headerLength} exceeds the segment (${segmentLength})`;
  const optionsEnd = Math.min(at + headerLength, b.length);
  return {
    sourcePort: ((b[at] as number) << 8) | (b[at + 1] as number),
    destinationPort: ((b[at + 2] as number) << 8) | (b[at + 3] as number),
    seq: u32(b, at + 4),
    ack: u32(b, at + 8),
    flags: (((b[at + 12] as number) & 0x01) << 8) | (b[at + 13] as number),
    window: ((b[at + 14] as number) << 8) | (b[at + 15] as number),
    urgent: ((b[at + 18] as number) << 8) | (b[at + 19] as number),
    headerLength,
    optionsOffset: at + 20,
    optionsEnd: Math.max(at + 20, optionsEnd),
    payloadOffset: at + headerLength,
    payloadLength: Math.max(0, segmentLength - headerLength),
    error,
  };
}

export const TCP_OPTION = { EOL: 0, NOP: 1, MSS: 2, WS: 3, SACK_PERM: 4, SACK: 5, TS: 8 } as const;

/**
 * The length of the option at `p` (1 for a NOP), or 0 where tshark stops reading: at an
 * end-of-list, a truncated option or an impossible length.
 */
export function optionLength(b: Uint8Array, p: number, end: number): number {
  const code = b[p] as number;
  if (code === TCP_OPTION.EOL) return 0;
  if (code === TCP_OPTION.NOP) return 1;
  if (p + 1 >= end) return 0;
  const len = b[p + 1] as number;
  return len < 2 || p + len > end ? 0 : len;
}

/** The window-scale shift a segment carries, or -1 when it carries none. */
export function windowScaleShift(b: Uint8Array, tcp: TcpHeader): number {
  for (let p = tcp.optionsOffset; p < tcp.optionsEnd; ) {
    const len = optionLength(b, p, tcp.optionsEnd);
    if (len === 0) break;
    if (b[p] === TCP_OPTION.WS && len === 3) return b[p + 2] as number;
    p += len;
  }
  return -1;
}
