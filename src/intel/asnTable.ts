import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';

export interface AsnInfo {
  readonly number: number;
  readonly org: string;
}

/**
 * IP → ASN from ip-location-db's numeric CSVs (`start,end,asn,org`), held as sorted typed
 * arrays and searched by bisection. IPv4 ranges are exact; IPv6 ranges are kept to their top
 * 64 bits, which is the granularity routing and allocation work at.
 */
export class AsnTable {
  readonly #v4Start: Uint32Array;
  readonly #v4End: Uint32Array;
  readonly #v4Asn: Uint32Array;
  readonly #v4Org: Uint32Array;
  readonly #v6Start: BigUint64Array;
  readonly #v6End: BigUint64Array;
  readonly #v6Asn: Uint32Array;
  readonly #v6Org: Uint32Array;
  readonly #orgs: string[];

  private constructor(v4: Columns<Uint32Array>, v6: Columns<BigUint64Array>, orgs: string[]) {
    this.#v4Start = v4.start;
    this.#v4End = v4.end;
    this.#v4Asn = v4.asn;
    this.#v4Org = v4.org;
    this.#v6Start = v6.start;
    this.#v6End = v6.end;
    this.#v6Asn = v6.asn;
    this.#v6Org = v6.org;
    this.#orgs = orgs;
  }

  /** Load from the CSV files (≈1 s for the full tables). */
  static load(v4File: string, v6File: string | null): AsnTable {
    const orgs: string[] = [];
    const orgIndex = new Map<string, number>();
    const internOrg = (name: string): number => {
      let i = orgIndex.get(name);
      if (i === undefined) {
        i = orgs.length;
        orgs.push(name);
        orgIndex.set(name, i);
      }
      return i;
    };
    const v4 = readColumns(readFileSync(v4File, 'utf8'), internOrg, Uint32Array, (s) => Number(s));
    const v6 = v6File
      ? readColumns(readFileSync(v6File, 'utf8'), internOrg, BigUint64Array, (s) => BigInt(s) >> 64n)
      : { start: new BigUint64Array(0), end: new BigUint64Array(0), asn: new Uint32Array(0), org: new Uint32Array(0) };
    return new AsnTable(v4, v6, orgs);
  }

  get size(): number {
    return this.#v4Start.length + this.#v6Start.length;
  }

  lookup(ip: string): AsnInfo | null {
    const v = isIP(ip);
    if (v === 4) {
      const n = ipv4Number(ip);
      const i = bisect(this.#v4Start, n);
      if (i < 0 || (this.#v4End[i] as number) < n) return null;
      return { number: this.#v4Asn[i] as number, org: this.#orgs[this.#v4Org[i] as number] as string };
    }
    if (v === 6) {
      if (ip.toLowerCase().startsWith('::ffff:') && isIP(ip.slice(7)) === 4) return this.lookup(ip.slice(7));
      const n = ipv6Top64(ip);
      const i = bisect(this.#v6Start, n);
      if (i < 0 || (this.#v6End[i] as bigint) < n) return null;
      return { number: this.#v6Asn[i] as number, org: this.#orgs[this.#v6Org[i] as number] as string };
    }
    return null;
  }
}

interface Columns<A extends Uint32Array | BigUint64Array> {
  start: A;
  end: A;
  asn: Uint32Array;
  org: Uint32Array;
}

function readColumns<A extends Uint32Array | BigUint64Array>(
  text: string,
  internOrg: (name: string) => number,
  Kind: { new (n: number): A },
  toKey: (s: string) => A extends Uint32Array ? number : bigint,
): Columns<A> {
  const starts: Array<number | bigint> = [];
  const ends: Array<number | bigint> = [];
  const asns: number[] = [];
  const orgs: number[] = [];
  let pos = 0;
  while (pos < text.length) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    const c1 = text.indexOf(',', pos);
    const c2 = c1 < 0 ? -1 : text.indexOf(',', c1 + 1);
    const c3 = c2 < 0 ? -1 : text.indexOf(',', c2 + 1);
    if (c3 > 0 && c3 < nl) {
      let org = text.slice(c3 + 1, nl).replace(/\r$/, '');
      if (org.startsWith('"') && org.endsWith('"')) org = org.slice(1, -1).replace(/""/g, '"');
      starts.push(toKey(text.slice(pos, c1)));
      ends.push(toKey(text.slice(c1 + 1, c2)));
      asns.push(Number(text.slice(c2 + 1, c3)));
      orgs.push(internOrg(org));
    }
    pos = nl + 1;
  }
  // The files are sorted by start already; sort anyway so a reordered file cannot break bisection.
  const order = starts.map((_, i) => i).sort((a, b) => cmp(starts[a] as number, starts[b] as number));
  const start = new Kind(order.length);
  const end = new Kind(order.length);
  const asn = new Uint32Array(order.length);
  const org = new Uint32Array(order.length);
  order.forEach((from, to) => {
    (start as unknown as Array<number | bigint>)[to] = starts[from] as number;
    (end as unknown as Array<number | bigint>)[to] = ends[from] as number;
    asn[to] = asns[from] as number;
    org[to] = orgs[from] as number;
  });
  return { start, end, asn, org };
}

function cmp(a: number | bigint, b: number | bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Index of the last start ≤ key, or -1. */
function bisect(starts: Uint32Array | BigUint64Array, key: number | bigint): number {
  let lo = 0;
  let hi = starts.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((starts[mid] as number | bigint) <= key) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

export function ipv4Number(ip: string): number {
  let n = 0;
  for (const part of ip.split('.')) n = n * 256 + Number(part);
  return n;
}

/** The top 64 bits of an IPv6 address. */
export function ipv6Top64(ip: string): bigint {
  const groups = expandV6(ip);
  let n = 0n;
  for (let i = 0; i < 4; i++) n = (n << 16n) | BigInt(groups[i] ?? 0);
  return n;
}

function expandV6(ip: string): number[] {
  const [head = '', tail] = ip.toLowerCase().split('::');
  const parse = (s: string): number[] => (s === '' ? [] : s.split(':').map((g) => Number.parseInt(g, 16) || 0));
  const h = parse(head);
  if (tail === undefined) return h;
  const t = parse(tail);
  return [...h, ...new Array(Math.max(0, 8 - h.length - t.length)).fill(0), ...t];
}
