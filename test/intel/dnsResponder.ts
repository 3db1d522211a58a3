import { createSocket } from 'node:dgram';
import { once } from 'node:events';

/**
 * A tiny DNS server on loopback UDP for tests: answers PTR queries from a table, NXDOMAIN for
 * names it does not know, and nothing at all for names in `silent` (to exercise timeouts).
 */
export interface DnsResponder {
  readonly server: string;
  readonly queries: string[];
  close(): Promise<void>;
}

export async function startDnsResponder(
  ptr: Readonly<Record<string, string>>,
  silent: readonly string[] = [],
): Promise<DnsResponder> {
  const socket = createSocket('udp4');
  const queries: string[] = [];
  socket.on('message', (msg, rinfo) => {
    const q = readQuestion(msg);
    if (!q) return;
    queries.push(q.name);
    if (silent.includes(q.name)) return;
    const answer = q.type === 12 ? ptr[q.name] : undefined;
    socket.send(buildResponse(msg, q.end, answer), rinfo.port, rinfo.address);
  });
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  const { port } = socket.address();
  return {
    server: `127.0.0.1:${port}`,
    queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/** `1.2.3.4` → `4.3.2.1.in-addr.arpa`. */
export function ptrName(ip: string): string {
  return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
}

function readQuestion(msg: Buffer): { name: string; type: number; end: number } | null {
  if (msg.length < 12 || msg.readUInt16BE(4) !== 1) return null;
  const labels: string[] = [];
  let i = 12;
  while (i < msg.length) {
    const len = msg[i] as number;
    if (len === 0) break;
    if (len > 63 || i + 1 + len > msg.length) return null;
    labels.push(msg.toString('latin1', i + 1, i + 1 + len));
    i += 1 + len;
  }
  if (i + 5 > msg.length) return null;
  return { name: labels.join('.').toLowerCase(), type: msg.readUInt16BE(i + 1), end: i + 5 };
}

function buildResponse(query: Buffer, questionEnd: number, answer: string | undefined): Buffer {
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2);
  header.writeUInt16BE(answer ? 0x8180 : 0x8183, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answer ? 1 : 0, 6);
  const question = query.subarray(12, questionEnd);
  if (!answer) return Buffer.concat([header, question]);
  const rdata = encodeName(answer);
  const rr = Buffer.alloc(12);
  rr.writeUInt16BE(0xc00c, 0);
  rr.writeUInt16BE(12, 2);
  rr.writeUInt16BE(1, 4);
  rr.writeUInt32BE(60, 6);
  rr.writeUInt16BE(rdata.length, 10);
  return Buffer.concat([header, question, rr, rdata]);
}

function encodeName(name: string): Buffer {
  const parts = name
    .replace(/\.$/, '')
    .split('.')
    .map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')]));
  return Buffer.concat([...parts, Buffer.from([0])]);
}
