import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after } from 'node:test';
import { pcap, writeCapture } from './captureWriter.js';
import { hasTool, ourLines, tempDir, tsharkLines } from './run.js';
import { timed } from './scenario.js';
import { tcpConversation } from './tcpConversation.js';

/** One segment of a conversation: from the client (`c`) or the server (`s`). */
export type Step = readonly ['c' | 's', string | Buffer];

export interface Conversation {
  /** The server's port. */
  readonly port: number;
  readonly steps: readonly Step[];
  /** Opened by the server's host, from port 20 (an active FTP data connection). */
  readonly openedByServer?: boolean;
}

const CLIENT = '192.168.7.10';
const SERVER = '192.168.7.80';

/** Conversations between one client and one server host, each opened by a handshake, one segment per step. */
export function conversationFrames(list: readonly Conversation[]): number[][] {
  return list.flatMap(({ port, steps, openedByServer }, n) =>
    tcpConversation(
      openedByServer
        ? { client: SERVER, server: CLIENT, clientPort: 20, serverPort: port, serverTtl: 128 }
        : { client: CLIENT, server: SERVER, clientPort: 50000 + n, serverPort: port, serverTtl: 128 },
      steps.map(([from, data]) => [from, typeof data === 'string' ? Buffer.from(data, 'latin1') : data] as const),
    ),
  );
}

/** Our packet log of the conversations, checked line by line against tshark's when `tsharkDir` is given. */
export function conversationLog(list: readonly Conversation[], tsharkDir: string | null, name: string): string[] {
  const bytes = pcap(timed(conversationFrames(list)), { linkType: 1 });
  const ours = ourLines(bytes);
  if (tsharkDir !== null) assert.deepEqual(ours, tsharkLines(writeCapture(join(tsharkDir, `${name}.pcap`), bytes)));
  return ours;
}

/** A TLS 1.2 Client Hello record, for what a conversation turns into after STARTTLS. */
export const CLIENT_HELLO = Buffer.from(`160301002f0100002b0303${'11'.repeat(32)}000002c02f01000000`, 'hex');

/**
 * For one test file: whether tshark is here, and `log`, which gives our packet log of some
 * conversations after checking it line by line against tshark's (captures kept in a temporary
 * directory, removed when the file's tests are done).
 */
export function conversationLogs(): {
  readonly tshark: boolean;
  log(name: string, list: readonly Conversation[]): string[];
} {
  const tshark = hasTool('tshark', '-v');
  const tmp = tempDir();
  after(tmp.cleanup);
  return { tshark, log: (name, list) => conversationLog(list, tshark ? tmp.dir : null, name) };
}

/** The Protocol and Info columns of the lines that carry data (handshakes and bare ACKs left out). */
export function summaries(lines: readonly string[]): string[] {
  return lines
    .map((l) => /^\s*\d+\s+\S+\s+\S+ → \S+\s+(\S+) \d+ (.*)$/.exec(l))
    .filter(
      (m): m is RegExpExecArray => m !== null && !/\[(SYN|SYN, ACK|ACK)\] Seq=\d+ (Ack=\d+ )?Win/.test(m[2] ?? ''),
    )
    .map((m) => `${m[1]} ${m[2]}`);
}
