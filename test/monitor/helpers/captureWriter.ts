import { writeFileSync } from 'node:fs';

/** A packet to write: its bytes and its time (seconds + nanoseconds). */
export interface Packet {
  readonly data: number[] | Uint8Array;
  readonly sec: number;
  readonly nsec: number;
  /** Length on the wire, when it exceeds the data (snapped packets). */
  readonly wireLength?: number;
}

export interface PcapOptions {
  readonly linkType: number;
  readonly bigEndian?: boolean;
  readonly nanoseconds?: boolean;
}

/** Classic pcap, either byte order, micro- or nanosecond magic. */
export function pcap(packets: readonly Packet[], o: PcapOptions): Buffer {
  const le = !o.bigEndian;
  const parts: Buffer[] = [];
  const head = Buffer.alloc(24);
  const w32 = (b: Buffer, v: number, at: number) => (le ? b.writeUInt32LE(v >>> 0, at) : b.writeUInt32BE(v >>> 0, at));
  const w16 = (b: Buffer, v: number, at: number) => (le ? b.writeUInt16LE(v, at) : b.writeUInt16BE(v, at));
  w32(head, o.nanoseconds ? 0xa1b23c4d : 0xa1b2c3d4, 0);
  w16(head, 2, 4);
  w16(head, 4, 6);
  w32(head, 262144, 16);
  w32(head, o.linkType, 20);
  parts.push(head);
  for (const p of packets) {
    const data = Buffer.from(p.data);
    const rec = Buffer.alloc(16);
    w32(rec, p.sec, 0);
    w32(rec, o.nanoseconds ? p.nsec : Math.floor(p.nsec / 1000), 4);
    w32(rec, data.length, 8);
    w32(rec, p.wireLength ?? data.length, 12);
    parts.push(rec, data);
  }
  return Buffer.concat(parts);
}

export interface PcapngOptions {
  readonly linkType: number;
  readonly bigEndian?: boolean;
  /** if_tsresol: decimal digits (6 default, 9 for ns). */
  readonly tsresol?: number;
  /** Write Simple Packet Blocks (no timestamps) instead of Enhanced Packet Blocks. */
  readonly simple?: boolean;
}

/** pcapng: SHB, one IDB (optionally with if_tsresol), then EPBs or SPBs. */
export function pcapng(packets: readonly Packet[], o: PcapngOptions): Buffer {
  const le = !o.bigEndian;
  const block = (type: number, body: Buffer): Buffer => {
    const padded = Buffer.concat([body, Buffer.alloc((4 - (body.length % 4)) % 4)]);
    const len = 12 + padded.length;
    const b = Buffer.alloc(len);
    const w32 = (v: number, at: number) => (le ? b.writeUInt32LE(v >>> 0, at) : b.writeUInt32BE(v >>> 0, at));
    w32(type, 0);
    w32(len, 4);
    padded.copy(b, 8);
    w32(len, len - 4);
    return b;
  };
  const buf = (n: number): Buffer => Buffer.alloc(n);
  const w32 = (b: Buffer, v: number, at: number) => (le ? b.writeUInt32LE(v >>> 0, at) : b.writeUInt32BE(v >>> 0, at));
  const w16 = (b: Buffer, v: number, at: number) => (le ? b.writeUInt16LE(v, at) : b.writeUInt16BE(v, at));

  const shb = buf(16);
  w32(shb, 0x1a2b3c4d, 0);
  w16(shb, 1, 4);
  w16(shb, 0, 6);
  shb.writeBigInt64LE(-1n, 8);
  const idbHead = buf(8);
  w16(idbHead, o.linkType, 0);
  w32(idbHead, 0, 4);
  const options: Buffer[] = [];
  if (o.tsresol !== undefined) {
    const opt = buf(8);
    w16(opt, 9, 0);
    w16(opt, 1, 2);
    opt[4] = o.tsresol;
    options.push(opt, buf(4));
  }
  const parts = [block(0x0a0d0d0a, shb), block(1, Buffer.concat([idbHead, ...options]))];
  const per = 10n ** BigInt(o.tsresol ?? 6);
  for (const p of packets) {
    const data = Buffer.from(p.data);
    if (o.simple) {
      const h = buf(4);
      w32(h, p.wireLength ?? data.length, 0);
      parts.push(block(3, Buffer.concat([h, data])));
      continue;
    }
    const units = BigInt(p.sec) * per + (BigInt(p.nsec) * per) / 1_000_000_000n;
    const h = buf(20);
    w32(h, 0, 0);
    w32(h, Number(units >> 32n), 4);
    w32(h, Number(units & 0xffffffffn), 8);
    w32(h, data.length, 12);
    w32(h, p.wireLength ?? data.length, 16);
    parts.push(block(6, Buffer.concat([h, data])));
  }
  return Buffer.concat(parts);
}

export function writeCapture(path: string, bytes: Buffer): string {
  writeFileSync(path, bytes);
  return path;
}
