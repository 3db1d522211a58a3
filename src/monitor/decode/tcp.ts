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

/** A TCP option, as far as tshark's Info column shows it. */
export type TcpOption =
  | { readonly kind: 'mss'; readonly value: number }
  | { readonly kind: 'ws'; readonly shift: number }
  | { readonly kind: 'sack_perm' }
  | { readonly kind: 'sack'; readonly blocks: ReadonlyArray<readonly [number, number]> }
  | { readonly kind: 'ts'; readonly value: number; readonly echo: number }
  | { readonly kind: 'nop' }
  | { readonly kind: 'eol' }
  | { readonly kind: 'other'; readonly code: number; readonly length: number };

export interface TcpHeader {
  readonly sourcePort: number;
  readonly destinationPort: number;
  readonly seq: number;
  readonly ack: number;
  readonly flags: number;
  readonly window: number;
  readonly urgent: number;
  readonly headerLength: number;
  readonly options: readonly TcpOption[];
  /** Where the payload starts in the frame, and how long it is per the IP header. */
  readonly payloadOffset: number;
  readonly payloadLength: number;
  readonly error: string | null;
}

const NO_OPTIONS: readonly TcpOption[] = [];
// Options without values are shared: no allocation for the NOPs that pad almost every header.
const NOP: TcpOption = { kind: 'nop' };
const EOL: TcpOption = { kind: 'eol' };
const SACK_PERM: TcpOption = { kind: 'sack_perm' };

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
    options: headerLength > 20 ? decodeOptions(b, at + 20, optionsEnd) : NO_OPTIONS,
    payloadOffset: at + headerLength,
    payloadLength: Math.max(0, segmentLength - headerLength),
    error,
  };
}

function u32(b: Uint8Array, at: number): number {
  return (
    (((b[at] as number) << 24) |
      ((b[at + 1] as number) << 16) |
      ((b[at + 2] as number) << 8) |
      (b[at + 3] as number)) >>>
    0
  );
}

function decodeOptions(b: Uint8Array, start: number, end: number): TcpOption[] {
  const out: TcpOption[] = [];
  let p = start;
  while (p < end) {
    const code = b[p] as number;
    if (code === 0) {
      out.push(EOL);
      break;
    }
    if (code === 1) {
      out.push(NOP);
      p++;
      continue;
    }
    if (p + 1 >= end) break;
    const len = b[p + 1] as number;
    if (len < 2 || p + len > end) break;
    if (code === 2 && len === 4) out.push({ kind: 'mss', value: ((b[p + 2] as number) << 8) | (b[p + 3] as number) });
    else if (code === 3 && len === 3) out.push({ kind: 'ws', shift: b[p + 2] as number });
    else if (code === 4 && len === 2) out.push(SACK_PERM);
    else if (code === 8 && len === 10) out.push({ kind: 'ts', value: u32(b, p + 2), echo: u32(b, p + 6) });
    else if (code === 5 && (len - 2) % 8 === 0) {
      const blocks: Array<readonly [number, number]> = [];
      for (let q = p + 2; q + 8 <= p + len; q += 8) blocks.push([u32(b, q), u32(b, q + 4)]);
      out.push({ kind: 'sack', blocks });
    } else out.push({ kind: 'other', code, length: len });
    p += len;
  }
  return out;
}
