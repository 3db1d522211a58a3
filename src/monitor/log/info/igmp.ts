import { ipv4Text } from '../../decode/address.js';
import type { Columns } from '../columns.js';

/**
 * IGMP as tshark summarises it: queries, v1/v2 reports and leaves, and v3 reports with their
 * group records. Hosts and switches send these all the time (IGMP snooping, mDNS and SSDP
 * groups). Null for a message tshark gives to another dissector (DVMRP, mtrace).
 */
export function igmpColumns(b: Uint8Array): Columns | null {
  if (b.length < 8) return null;
  const type = b[0] as number;
  const group = ipv4Text(b, 4);
  switch (type) {
    case 0x11:
      return queryColumns(b, group);
    case 0x12:
      return { protocol: 'IGMPv1', info: 'Membership Report' };
    case 0x16:
      return { protocol: 'IGMPv2', info: `Membership Report group ${group}` };
    case 0x17:
      return { protocol: 'IGMPv2', info: `Leave Group ${group}` };
    case 0x22:
      return { protocol: 'IGMPv3', info: `Membership Report${v3Records(b)}` };
    default:
      return null;
  }
}

/** v1 (8 bytes, no response time), v2 (8 bytes) or v3 (12 bytes or more, with sources). */
function queryColumns(b: Uint8Array, group: string): Columns {
  if (b.length < 12) {
    if (b[1] === 0) return { protocol: 'IGMPv1', info: 'Membership Query' };
    return {
      protocol: 'IGMPv2',
      info: group === '0.0.0.0' ? 'Membership Query, general' : `Membership Query, specific for group ${group}`,
    };
  }
  if (group === '0.0.0.0') return { protocol: 'IGMPv3', info: 'Membership Query, general' };
  const count = ((b[10] as number) << 8) | (b[11] as number);
  const sources = addresses(b, 12, count);
  const which = sources.length === 0 ? '' : `, source${sources.length === 1 ? '' : 's'} {${sources.join(', ')}}`;
  return { protocol: 'IGMPv3', info: `Membership Query, specific for group ${group}${which}` };
}

/** ` / Join group 224.0.0.251 for any sources`, one piece per group record. */
function v3Records(b: Uint8Array): string {
  const records = ((b[6] as number) << 8) | (b[7] as number);
  let text = '';
  let at = 8;
  for (let r = 0; r < records && at + 8 <= b.length; r++) {
    const type = b[at] as number;
    const auxWords = b[at + 1] as number;
    const count = ((b[at + 2] as number) << 8) | (b[at + 3] as number);
    const group = ipv4Text(b, at + 4);
    text += ` / ${recordText(type, group, addresses(b, at + 8, count))}`;
    at += 8 + 4 * count + 4 * auxWords;
  }
  return text;
}

function recordText(type: number, group: string, sources: readonly string[]): string {
  const list = `{${sources.join(', ')}}`;
  const one = sources.length === 1;
  switch (type) {
    case 1: // MODE_IS_INCLUDE
    case 3: // CHANGE_TO_INCLUDE_MODE
      if (sources.length === 0) return `Leave group ${group}`;
      return `Join group ${group} for ${one ? 'source' : 'sources in'} ${list}`;
    case 2: // MODE_IS_EXCLUDE
    case 4: // CHANGE_TO_EXCLUDE_MODE
      if (sources.length === 0) return `Join group ${group} for any sources`;
      return `Join group ${group}, for ${one ? 'source not' : 'sources not in'} ${list}`;
    case 5:
      if (sources.length === 0) return `Group ${group}, ALLOW_NEW_SOURCES but no source specified (?)`;
      return `Group ${group}, new source${one ? '' : 's'} ${list}`;
    case 6:
      if (sources.length === 0) return `Group ${group}, BLOCK_OLD_SOURCES but no source specified (?)`;
      return `Group ${group}, block source${one ? '' : 's'} ${list}`;
    default:
      return `Group ${group}, unknown record type ${type}`;
  }
}

function addresses(b: Uint8Array, at: number, count: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < count && at + 4 * i + 4 <= b.length; i++) out.push(ipv4Text(b, at + 4 * i));
  return out;
}
