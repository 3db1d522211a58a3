import type { TcpHeader } from '../decode/tcp.js';

const FLAG_NAMES = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR', 'AE'] as const;

/** flagText for each of the 512 flag combinations, filled on first use. */
const FLAG_TEXTS: Array<string | undefined> = new Array<string | undefined>(512).fill(undefined);

/** `[SYN, ACK]`-style flag list in tshark's bit order; `<None>` when no flag is set. */
export function flagText(flags: number): string {
  const i = flags & 0x1ff;
  const cached = FLAG_TEXTS[i];
  if (cached !== undefined) return cached;
  const text = composeFlagText(i);
  FLAG_TEXTS[i] = text;
  return text;
}

function composeFlagText(flags: number): string {
  let s = '';
  for (let i = 0; i < FLAG_NAMES.length; i++) {
    if ((flags & (1 << i)) === 0) continue;
    s += s === '' ? FLAG_NAMES[i] : `, ${FLAG_NAMES[i]}`;
  }
  return s === '' ? '<None>' : s;
}

export interface TcpNumbers {
  readonly relSeq: number;
  readonly relAck: number;
  readonly window: number;
  /** Base sequence number of the reverse direction, for SACK edges. */
  readonly reverseBase: number;
}

/** tshark's TCP Info text: `1817 → 80 [SYN, ACK] Seq=0 Ack=1 Win=65483 Len=0 MSS=65495 …`. */
export function tcpInfo(tcp: TcpHeader, n: TcpNumbers): string {
  let s = `${tcp.sourcePort} → ${tcp.destinationPort} [${flagText(tcp.flags)}] Seq=${n.relSeq}`;
  if (tcp.flags & 0x10) s += ` Ack=${n.relAck}`;
  s += ` Win=${n.window}`;
  if (tcp.flags & 0x20) s += ` Urg=${tcp.urgent}`;
  s += ` Len=${tcp.payloadLength}`;
  for (const o of tcp.options) {
    switch (o.kind) {
      case 'mss':
        s += ` MSS=${o.value}`;
        break;
      case 'ws':
        s += ` WS=${2 ** Math.min(o.shift, 14)}`;
        break;
      case 'sack_perm':
        s += ' SACK_PERM';
        break;
      case 'ts':
        s += ` TSval=${o.value} TSecr=${o.echo}`;
        break;
      case 'sack':
        for (const [left, right] of o.blocks) {
          s += ` SLE=${(left - n.reverseBase) >>> 0} SRE=${(right - n.reverseBase) >>> 0}`;
        }
        break;
      default:
        break;
    }
  }
  return s;
}
