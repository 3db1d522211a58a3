/**
 * The detection ceiling of `npm run bench -- monitor`: the smallest Node program that reads a
 * classic pcap of Ethernet frames, decodes each packet's IPv4 and TCP/UDP headers and looks its
 * conversation up in a Map (a numeric key of the two endpoints; a new entry on a miss) — no
 * reassembly, no analyzer, no output but a count. Whatever `monitor --no-log` does beyond this
 * is its own cost, not Node's.
 */
import { readFileSync } from 'node:fs';

const b = readFileSync(process.argv[2]);
const conversations = new Map();
let at = 24;
let n = 0;
let payloadBytes = 0;
let count = 0;
while (at + 16 <= b.length) {
  const captured = b.readUInt32LE(at + 8);
  const p = at + 16;
  n++;
  if (b.readUInt16BE(p + 12) === 0x0800) {
    const i = p + 14;
    const h = i + (b[i] & 15) * 4;
    const proto = b[i + 9];
    if (proto === 6 || proto === 17) {
      const src = b.readUInt32BE(i + 12);
      const dst = b.readUInt32BE(i + 16);
      const sport = b.readUInt16BE(h);
      const dport = b.readUInt16BE(h + 2);
      // Both directions to one entry: each endpoint (address and port, 48 bits) an exact number,
      // the lower one (with the protocol) keys the outer map, the other the inner.
      const a = src * 65536 + sport;
      const z = dst * 65536 + dport;
      const low = (a < z ? a : z) * 2 + (proto === 6 ? 1 : 0);
      const high = a < z ? z : a;
      let peers = conversations.get(low);
      if (peers === undefined) {
        peers = new Map();
        conversations.set(low, peers);
      }
      let c = peers.get(high);
      if (c === undefined) {
        c = { packets: 0 };
        peers.set(high, c);
        count++;
      }
      c.packets++;
      const offset = proto === 6 ? h + (b[h + 12] >> 4) * 4 : h + 8;
      payloadBytes += p + captured - offset;
    }
  }
  at = p + captured;
}
process.stdout.write(`${n} packets, ${count} conversations, ${payloadBytes} payload bytes\n`);
