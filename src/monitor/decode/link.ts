import { macText } from './address.js';

/** LINKTYPE_* values we decode (https://www.tcpdump.org/linktypes.html). */
export const LINKTYPE = {
  NULL: 0,
  ETHERNET: 1,
  RAW_BSD12: 12,
  RAW_BSD14: 14,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

export const ETHERTYPE = {
  IPV4: 0x0800,
  ARP: 0x0806,
  VLAN: 0x8100,
  QINQ: 0x88a8,
  QINQ_OLD: 0x9100,
  IPV6: 0x86dd,
} as const;

const NO_VLANS: readonly number[] = [];

/** What the link layer carries, and where. */
export type LinkPayload = 'ipv4' | 'ipv6' | 'arp' | 'other';

export interface LinkLayer {
  readonly payload: LinkPayload;
  /** Offset of the network-layer header in the frame. */
  readonly offset: number;
  /** The EtherType or address family, for what we do not decode. */
  readonly protocol: number;
  /** Offsets of the 6-byte source and destination hardware addresses in the frame, or -1. */
  readonly sourceMacAt: number;
  readonly destinationMacAt: number;
  readonly vlans: readonly number[];
  readonly error: string | null;
}

/** Decode the link-layer header. Never throws: a short frame yields `payload: 'other'` with an error. */
export function decodeLink(linkType: number, b: Uint8Array): LinkLayer {
  switch (linkType) {
    case LINKTYPE.ETHERNET:
      return decodeEthernet(b);
    case LINKTYPE.NULL:
      return decodeNull(b, null);
    case LINKTYPE.LOOP:
      return decodeNull(b, false);
    case LINKTYPE.RAW:
    case LINKTYPE.RAW_BSD12:
    case LINKTYPE.RAW_BSD14:
      return rawIp(b);
    case LINKTYPE.IPV4:
      return link('ipv4', 0, ETHERTYPE.IPV4);
    case LINKTYPE.IPV6:
      return link('ipv6', 0, ETHERTYPE.IPV6);
    case LINKTYPE.LINUX_SLL:
      return decodeSll(b);
    case LINKTYPE.LINUX_SLL2:
      return decodeSll2(b);
    default:
      return { ...link('other', 0, 0), error: `unsupported link type ${linkType}` };
  }
}

function link(
  payload: LinkPayload,
  offset: number,
  protocol: number,
  sourceMacAt = -1,
  destinationMacAt = -1,
  vlans: readonly number[] = [],
): LinkLayer {
  return { payload, offset, protocol, sourceMacAt, destinationMacAt, vlans, error: null };
}

/** A hardware address of the frame as text (computed only when a line needs it), or null. */
export function macAt(b: Uint8Array, at: number): string | null {
  return at >= 0 && at + 6 <= b.length ? macText(b, at) : null;
}

function short(what: string, need: number, have: number): LinkLayer {
  return { ...link('other', have, 0), error: `${what} header needs ${need} bytes, frame has ${have}` };
}

function byEtherType(type: number): LinkPayload {
  if (type === ETHERTYPE.IPV4) return 'ipv4';
  if (type === ETHERTYPE.IPV6) return 'ipv6';
  if (type === ETHERTYPE.ARP) return 'arp';
  return 'other';
}

function decodeEthernet(b: Uint8Array): LinkLayer {
  if (b.length < 14) return short('Ethernet', 14, b.length);
  let type = ((b[12] as number) << 8) | (b[13] as number);
  let offset = 14;
  let vlans: number[] | undefined;
  while (type === ETHERTYPE.VLAN || type === ETHERTYPE.QINQ || type === ETHERTYPE.QINQ_OLD) {
    if (b.length < offset + 4) return short('802.1Q', offset + 4, b.length);
    vlans ??= [];
    vlans.push((((b[offset] as number) << 8) | (b[offset + 1] as number)) & 0x0fff);
    type = ((b[offset + 2] as number) << 8) | (b[offset + 3] as number);
    offset += 4;
  }
  return link(byEtherType(type), offset, type, 6, 0, vlans ?? NO_VLANS);
}

/** BSD loopback: a 4-byte address family, in the capturing host's byte order (NULL) or big-endian (LOOP). */
function decodeNull(b: Uint8Array, little: boolean | null): LinkLayer {
  if (b.length < 4) return short('loopback', 4, b.length);
  const dv = new DataView(b.buffer, b.byteOffset, 4);
  let family = dv.getUint32(0, little ?? true);
  // Host byte order is unknown for NULL: a family never exceeds 0xffff, so the other order is the right one.
  if (little === null && family > 0xffff) family = dv.getUint32(0, false);
  if (family === 2) return link('ipv4', 4, family);
  if (family === 10 || family === 24 || family === 28 || family === 30) return link('ipv6', 4, family);
  return link('other', 4, family);
}

function rawIp(b: Uint8Array): LinkLayer {
  if (b.length < 1) return short('IP', 1, 0);
  const version = (b[0] as number) >> 4;
  if (version === 4) return link('ipv4', 0, ETHERTYPE.IPV4);
  if (version === 6) return link('ipv6', 0, ETHERTYPE.IPV6);
  return { ...link('other', 0, 0), error: `raw IP with version ${version}` };
}

function decodeSll(b: Uint8Array): LinkLayer {
  if (b.length < 16) return short('Linux cooked', 16, b.length);
  const type = ((b[14] as number) << 8) | (b[15] as number);
  const addrLen = ((b[4] as number) << 8) | (b[5] as number);
  return link(byEtherType(type), 16, type, addrLen === 6 ? 6 : -1);
}

function decodeSll2(b: Uint8Array): LinkLayer {
  if (b.length < 20) return short('Linux cooked v2', 20, b.length);
  const type = ((b[0] as number) << 8) | (b[1] as number);
  const addrLen = b[11] as number;
  return link(byEtherType(type), 20, type, addrLen === 6 ? 12 : -1);
}
