import { ipv4Text, ipv6Text, macText } from '../../decode/address.js';
import { u16, u32 } from '../../decode/bytes.js';
import type { Columns } from '../columns.js';
import { formatText } from '../formatText.js';

/**
 * What switches send to every port, as tshark summarises it: spanning tree BPDUs (802.3 + LLC,
 * or Cisco's PVST+ over SNAP), CDP (SNAP) and LLDP (EtherType 0x88cc). A server's capture
 * without a filter is full of them. `type` is the EtherType, or the 802.3 length when at most
 * 1500; `at` is where the frame's payload starts. Null for anything else.
 */
export function switchProtocolColumns(frame: Uint8Array, at: number, type: number): Columns | null {
  if (type === 0x88cc) return lldpColumns(frame, at);
  // An 802.3 frame's payload ends where its length says, before the padding.
  if (type > 1500) return null;
  const b = frame.subarray(0, Math.min(frame.length, at + type));
  if (at + 3 > b.length) return { protocol: 'LLC', info: MALFORMED };
  const dsap = b[at] as number;
  const ssap = b[at + 1] as number;
  const control = b[at + 2] as number;
  if (control !== 0x03) return null;
  if (dsap === 0x42 && ssap === 0x42) {
    return at + 3 === b.length
      ? { protocol: 'LLC', info: 'U, func=UI; DSAP Spanning Tree BPDU Individual, SSAP Spanning Tree BPDU Command' }
      : stpColumns(b, at + 3);
  }
  if (dsap !== 0xaa || ssap !== 0xaa || at + 8 > b.length) return null;
  const oui = ((b[at + 3] as number) << 16) | ((b[at + 4] as number) << 8) | (b[at + 5] as number);
  const pid = ((b[at + 6] as number) << 8) | (b[at + 7] as number);
  if (oui !== 0x00000c) return null;
  if (pid === 0x2000) return cdpColumns(b, at + 8);
  // PVST+: a BPDU for one VLAN, the LLC header dropped.
  if (pid === 0x010b) return stpColumns(b, at + 8);
  return null;
}

const MALFORMED = '[Malformed Packet]';

/** `Conf. TC + Root = 32768/0/00:11:22:33:44:55  Cost = 4  Port = 0x8001`, or a TCN. */
function stpColumns(b: Uint8Array, at: number): Columns {
  if (at + 4 > b.length) return { protocol: 'LLC', info: MALFORMED };
  const version = b[at + 2] as number;
  const bpduType = b[at + 3] as number;
  if (bpduType === 0x80) return { protocol: 'STP', info: 'Topology Change Notification' };
  if (bpduType !== 0x00 && bpduType !== 0x02) return { protocol: 'STP', info: `Unknown BPDU type (${bpduType})` };
  if (at + 35 > b.length) return { protocol: 'STP', info: MALFORMED };
  const kind = bpduType === 0x00 ? 'Conf.' : version >= 3 ? 'MST.' : 'RST.';
  const tc = ((b[at + 4] as number) & 0x01) !== 0 ? ' TC +' : '';
  const rootId = u16(b, at + 5);
  const root = `${rootId & 0xf000}/${rootId & 0x0fff}/${macText(b, at + 7)}`;
  const cost = u32(b, at + 13);
  const port = u16(b, at + 25)
    .toString(16)
    .padStart(4, '0');
  return { protocol: 'STP', info: `${kind}${tc} Root = ${root}  Cost = ${cost}  Port = 0x${port}` };
}

/** `Device ID: switch1  Port ID: GigabitEthernet0/1  `: CDP's TLVs 1 and 3. */
function cdpColumns(b: Uint8Array, at: number): Columns {
  let info = '';
  for (let p = at + 4; p + 4 <= b.length; ) {
    const type = u16(b, p);
    const length = u16(b, p + 2);
    if (length < 4 || p + length > b.length) break;
    if (type === 0x0001) info += `Device ID: ${formatText(b, p + 4, p + length)}  `;
    else if (type === 0x0003) info += `Port ID: ${formatText(b, p + 4, p + length)}  `;
    p += length;
  }
  return { protocol: 'CDP', info };
}

/** Chassis ID and port ID subtypes as tshark abbreviates them (IEEE 802.1AB). */
const CHASSIS_SUBTYPES = ['', 'CC', 'IA', 'PC', 'MA', 'NA', 'IN', 'LA'];
const PORT_SUBTYPES = ['', 'IA', 'PC', 'MA', 'NA', 'IN', 'AC', 'LA'];

/**
 * `MA/00:1b:54:aa:bb:01 IN/Gi0/1 120 SysN=switch1 `: chassis ID, port ID, TTL, then any system
 * names and descriptions. The first three TLVs must be those three, in that order, or tshark
 * says which one is wrong instead.
 */
function lldpColumns(b: Uint8Array, at: number): Columns {
  let info = '';
  let index = 0;
  for (let p = at; p + 2 <= b.length; index++) {
    const header = u16(b, p);
    const type = header >> 9;
    const value = p + 2;
    const end = value + (header & 0x01ff);
    if (end > b.length) break;
    if (index < 3) {
      const piece =
        index === 2
          ? type === 3 && end - value === 2
            ? String(u16(b, value))
            : null
          : lldpId(b, value, end, type, index);
      if (piece === null) return { protocol: 'LLDP', info: LLDP_INVALID[index] as string };
      info += `${piece} `;
    } else if (type === 0) break;
    else if (type === 5) info += `SysN=${formatText(b, value, end)} `;
    else if (type === 6) info += `SysD=${formatText(b, value, end)} `;
    p = end;
  }
  return { protocol: 'LLDP', info };
}

const LLDP_INVALID = ['Invalid Chassis ID TLV', 'Invalid Port ID TLV', 'Invalid Time-to-Live TLV'];

/**
 * `MA/…`: the chassis ID (TLV 1, the first) or port ID (TLV 2, the second) by its subtype: a
 * MAC address, a network address, hex for a component, text otherwise. Null when the TLV is
 * not the one expected there or its value does not fit its subtype.
 */
function lldpId(b: Uint8Array, from: number, to: number, type: number, index: number): string | null {
  const expected = index + 1;
  if (type !== expected || to - from < 2) return null;
  const subtype = b[from] as number;
  const names = expected === 1 ? CHASSIS_SUBTYPES : PORT_SUBTYPES;
  const name = names[subtype];
  if (name === undefined || name === '') return 'Rs/Reserved';
  const v = from + 1;
  if (name === 'MA') return to - v === 6 ? `MA/${macText(b, v)}` : null;
  if (name === 'NA') {
    const family = b[v] as number;
    if (family === 1) return to - v === 5 ? `NA/${ipv4Text(b, v + 1)}` : null;
    if (family === 2) return to - v === 17 ? `NA/${ipv6Text(b, v + 1)}` : null;
  }
  if (name === 'PC') return `PC/${Buffer.from(b.subarray(v, to)).toString('hex')}`;
  return `${name}/${formatText(b, v, to)}`;
}
