/**
 * The ceiling of `npm run bench -- monitor`: the smallest Node program that reads a classic pcap
 * of Ethernet frames and prints a header line per packet (number, time, addresses and ports,
 * protocol, length). Whatever bansho does beyond this is its own cost, not Node's.
 */
import { readFileSync } from 'node:fs';

const b = readFileSync(process.argv[2]);
const ip = (o) => `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
let at = 24;
let n = 0;
let out = '';
while (at + 16 <= b.length) {
  const captured = b.readUInt32LE(at + 8);
  const p = at + 16;
  let line = `${++n} ${b.readUInt32LE(at)}.${String(b.readUInt32LE(at + 4)).padStart(6, '0')} `;
  if (b.readUInt16BE(p + 12) === 0x0800) {
    const i = p + 14;
    const h = i + (b[i] & 15) * 4;
    const proto = b[i + 9];
    line +=
      proto === 6 || proto === 17
        ? `${ip(i + 12)}.${b.readUInt16BE(h)} > ${ip(i + 16)}.${b.readUInt16BE(h + 2)} ${proto === 6 ? 'TCP' : 'UDP'}`
        : `${ip(i + 12)} > ${ip(i + 16)} proto ${proto}`;
  }
  out += `${line} ${b.readUInt32LE(at + 12)}\n`;
  if (out.length > 1 << 18) {
    process.stdout.write(out);
    out = '';
  }
  at = p + captured;
}
process.stdout.write(out);
