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

/** A TcpHeader a decoder refills packet after packet (./packetDecoder.ts). */
export type MutableTcpHeader = { -readonly [K in keyof TcpHeader]: TcpHeader[K] };

export function newTcpHeader(): MutableTcpHeader {
  return {
    sourcePort: 0,
    destinationPort: 0,
    seq: 0,
    ack: 0,
    flags: 0,
    window: 0,
    urgent: 0,
    headerLength: 0,
    optionsOffset: 0,
    optionsEnd: 0,
    payloadOffset: 0,
    payloadLength: 0,
    error: null,
  };
}

/**
 * Read the TCP header at `at` into `tcp`: null when it was read (a problem with the rest is
 * then `tcp.error`), else the problem that stops decoding, `tcp` left as it was. The frame's
 * bytes end at `end`. Offsets set are `b`'s.
 */
export function readTcp(
  tcp: MutableTcpHeader,
  b: Uint8Array,
  at: number,
  segmentLength: number,
  end = b.length,
): string | null {
  if (end < at + 20) return `TCP header needs 20 bytes, ${Math.max(0, end - at)} captured`;
  const headerLength = ((b[at + 12] as number) >> 4) * 4;
  if (headerLength < 20) return `TCP header length ${headerLength} is below 20`;
  const optionsEnd = Math.min(at + headerLength, end);
  tcp.sourcePort = ((b[at] as number) << 8) | (b[at + 1] as number);
  tcp.destinationPort = ((b[at + 2] as number) << 8) | (b[at + 3] as number);
  tcp.seq = u32(b, at + 4);
  tcp.ack = u32(b, at + 8);
  tcp.flags = (((b[at + 12] as number) & 0x01) << 8) | (b[at + 13] as number);
  tcp.window = ((b[at + 14] as number) << 8) | (b[at + 15] as number);
  tcp.urgent = ((b[at + 18] as number) << 8) | (b[at + 19] as number);
  tcp.headerLength = headerLength;
  tcp.optionsOffset = at + 20;
  tcp.optionsEnd = Math.max(at + 20, optionsEnd);
  tcp.payloadOffset = at + headerLength;
  tcp.payloadLength = Math.max(0, segmentLength - headerLength);
  tcp.error =
    headerLength > segmentLength ? `TCP header length ${headerLength} exceeds the segment (${segmentLength})` : null;
  return null;
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

/**
 * The window-scale shift a segment carries, or -1 when it carries none; the frame's bytes start
 * at `b[base]` (a reused frame's `bytes` and `start`).
 */
export function windowScaleShift(b: Uint8Array, tcp: TcpHeader, base = 0): number {
  const end = base + tcp.optionsEnd;
  for (let p = base + tcp.optionsOffset; p < end; ) {
    const len = optionLength(b, p, end);
    if (len === 0) break;
    if (b[p] === TCP_OPTION.WS && len === 3) return b[p + 2] as number;
    p += len;
  }
  return -1;
}
