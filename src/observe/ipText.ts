/**
 * The text form of an IPv6 address from its eight 16-bit groups, as RFC 5952 and inet_ntop
 * write it: lower-case hex, the longest run of two or more zero groups as `::` (the first
 * such run on a tie), and a dotted IPv4 tail for IPv4-compatible (`::a.b.c.d`) and
 * IPv4-mapped (`::ffff:a.b.c.d`) addresses. Shared so that the packet log, ban keys and
 * CIDRs all spell an address the same way.
 */
export function formatIPv6(groups: ArrayLike<number>): string {
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestStart === 0 && (bestLen === 6 || (bestLen === 5 && groups[5] === 0xffff))) {
    const hi = groups[6] as number;
    const lo = groups[7] as number;
    return `::${bestLen === 5 ? 'ffff:' : ''}${hi >>> 8}.${hi & 255}.${lo >>> 8}.${lo & 255}`;
  }
  const hex: string[] = [];
  for (let i = 0; i < 8; i++) hex.push((groups[i] as number).toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** `::ffff:192.0.2.1` (a dual-stack socket's view of an IPv4 peer) → `192.0.2.1`. */
export function unmapIPv4(ip: string): string {
  if (ip.length > 7 && ip.charCodeAt(0) === 58 && ip.startsWith('::ffff:') && ip.indexOf('.') > 0) return ip.slice(7);
  return ip;
}

/**
 * The 32-bit value (as a signed int, which V8 keeps unboxed) of dotted-quad `text` from `start`
 * on; undefined if it is not one. No allocation: the accept path and the CIDR checks call it per
 * connection and per request.
 */
export function ipv4Int(text: string, start = 0): number | undefined {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return undefined;
    } else if (c === 46 && digits > 0 && dots < 3) {
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else return undefined;
  }
  if (dots !== 3 || digits === 0) return undefined;
  return (value * 256 + octet) | 0;
}
