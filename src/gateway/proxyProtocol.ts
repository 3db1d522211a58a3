import { isIPv4, isIPv6 } from 'node:net';
import { formatIPv6 } from '../observe/ipText.js';

/**
 * The PROXY protocol (haproxy's proxy-protocol.txt, versions 1 and 2): a layer-4 load balancer
 * (haproxy `send-proxy`, an AWS Network Load Balancer, …) opens one connection per client and
 * starts it with a header naming the client's address, before any HTTP or TLS byte. Parsed here
 * from the first bytes of a connection, a pure function of them.
 */
export type ProxyHeader =
  /** Not all of the header has arrived yet. */
  | { readonly kind: 'incomplete' }
  /** `length` bytes of header; `client` null for the balancer's own connections (LOCAL, UNKNOWN: health checks). */
  | { readonly kind: 'header'; readonly length: number; readonly client: { ip: string; port: number } | null }
  | { readonly kind: 'invalid'; readonly reason: string };

/** Version 1 is one text line of at most 107 bytes, CRLF included. */
const V1_MAX = 107;
const V2_SIGNATURE = Buffer.from('0d0a0d0a000d0a515549540a', 'hex');
/** Version 2: 16 fixed bytes, then addresses and TLVs; more than this is refused (AWS sends a few hundred). */
const V2_MAX_BODY = 4096;

export function parseProxyHeader(bytes: Buffer): ProxyHeader {
  if (bytes.length === 0) return INCOMPLETE;
  if (bytes[0] === 0x0d) return parseV2(bytes);
  if (bytes[0] === 0x50 /* P */) return parseV1(bytes);
  return invalid('the connection does not start with a PROXY protocol header');
}

const INCOMPLETE: ProxyHeader = { kind: 'incomplete' };

function invalid(reason: string): ProxyHeader {
  return { kind: 'invalid', reason };
}

/** `PROXY TCP4 192.0.2.7 10.0.0.1 51234 443\r\n`, or `PROXY UNKNOWN …\r\n`. */
function parseV1(bytes: Buffer): ProxyHeader {
  const prefix = 'PROXY ';
  const seen = bytes.subarray(0, prefix.length).toString('latin1');
  if (!prefix.startsWith(seen)) return invalid('the connection does not start with a PROXY protocol header');
  const end = bytes.indexOf('\r\n');
  if (end < 0) return bytes.length >= V1_MAX ? invalid('PROXY header line longer than 107 bytes') : INCOMPLETE;
  if (end + 2 > V1_MAX) return invalid('PROXY header line longer than 107 bytes');
  const length = end + 2;
  const parts = bytes.subarray(prefix.length, end).toString('latin1').split(' ');
  if (parts[0] === 'UNKNOWN') return { kind: 'header', length, client: null };
  if (parts.length !== 5) return invalid('PROXY header line needs protocol, two addresses and two ports');
  const [protocol, source = '', , sourcePort = ''] = parts;
  const valid = protocol === 'TCP4' ? isIPv4(source) : protocol === 'TCP6' ? isIPv6(source) : false;
  if (!valid) return invalid(`PROXY header names no ${protocol === 'TCP6' ? 'IPv6' : 'IPv4'} source address`);
  const port = portNumber(sourcePort);
  if (port === null) return invalid('PROXY header has an invalid source port');
  return { kind: 'header', length, client: { ip: source, port } };
}

function portNumber(text: string): number | null {
  if (!/^\d{1,5}$/.test(text)) return null;
  const n = Number(text);
  return n <= 65535 ? n : null;
}

/** The binary header: signature, version and command, family, length, addresses, TLVs. */
function parseV2(bytes: Buffer): ProxyHeader {
  const signature = bytes.subarray(0, V2_SIGNATURE.length);
  if (!V2_SIGNATURE.subarray(0, signature.length).equals(signature))
    return invalid('the connection does not start with a PROXY protocol header');
  if (bytes.length < 16) return INCOMPLETE;
  const versionCommand = bytes[12] as number;
  if (versionCommand >> 4 !== 2) return invalid(`PROXY protocol version ${versionCommand >> 4} is not 2`);
  const command = versionCommand & 0x0f;
  if (command > 1) return invalid(`PROXY protocol command ${command} is neither LOCAL nor PROXY`);
  const family = bytes[13] as number;
  const bodyLength = bytes.readUInt16BE(14);
  if (bodyLength > V2_MAX_BODY) return invalid(`PROXY header of ${bodyLength} bytes is too long`);
  const length = 16 + bodyLength;
  if (bytes.length < length) return INCOMPLETE;
  // LOCAL: the balancer's own connection (a health check); an unspecified family says nothing either.
  if (command === 0 || family >> 4 === 0) return { kind: 'header', length, client: null };
  const body = bytes.subarray(16, length);
  switch (family) {
    case 0x11: // TCP over IPv4
    case 0x12: // UDP over IPv4
      if (body.length < 12) return invalid('PROXY header too short for IPv4 addresses');
      return { kind: 'header', length, client: { ip: [...body.subarray(0, 4)].join('.'), port: body.readUInt16BE(8) } };
    case 0x21: // TCP over IPv6
    case 0x22:
      if (body.length < 36) return invalid('PROXY header too short for IPv6 addresses');
      return { kind: 'header', length, client: { ip: ipv6Text(body.subarray(0, 16)), port: body.readUInt16BE(32) } };
    default:
      // A UNIX socket address: no network client to name.
      return { kind: 'header', length, client: null };
  }
}

/** Sixteen bytes as an IPv6 address, as the rest of bansho spells one (a v4-mapped one is unmapped by the caller). */
function ipv6Text(b: Buffer): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i));
  return formatIPv6(groups);
}
