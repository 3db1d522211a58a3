import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { decodePacket } from '../../src/monitor/decode/packet.js';
import { Conversations } from '../../src/monitor/tcp/conversations.js';
import { pcap, writeCapture } from './helpers/captureWriter.js';
import { ethernet, FLAGS, ipv4, tcp } from './helpers/packets.js';
import { hasTool, ourLines, parseAll, tempDir, tsharkLines } from './helpers/run.js';
import { timed } from './helpers/scenario.js';

/**
 * The seam between what tshark shows of a TCP conversation, segment by segment in capture
 * order, and what bansho's one reading shows: each direction put back in order once (the
 * reassembly), its in-order bytes read by the protocol analyzers, whose events the packet log
 * renders on the frame whose bytes completed them and the rule engine and detectors consume.
 * Where the capture is clean, or a segment is retransmitted, the log is tshark's line for line.
 * Where a segment is lost or late the two part, and the tests pin where: bytes behind a hole
 * are read when it fills (the late frame shows what it completed) or is given up (the
 * receiver acknowledged past it, memory ran out, the connection ended), so the frames that
 * carried them show TCP alone, where tshark read them on their own.
 */
const tshark = hasTool('tshark', '-v');
const tmp = tempDir();
after(tmp.cleanup);

const CLIENT = '192.168.9.10';
const SERVER = '192.168.9.80';
const C_ISN = 1000;
const S_ISN = 5000;

/** A segment from the client (to `port`) or from the server. */
function segment(from: 'c' | 's', port: number, seq: number, ack: number, flags: number, payload?: Buffer): number[] {
  const client = from === 'c';
  const [src, dst] = client ? [CLIENT, SERVER] : [SERVER, CLIENT];
  const [sport, dport] = client ? [52000, port] : [port, 52000];
  return ethernet(0x0800, ipv4({ src, dst, proto: 6 }, tcp({ sport, dport, seq, ack, flags, payload })));
}

/**
 * The handshake, then the parts of each side's stream in the order `sent` names them
 * (`['s', 2]`: the server's third part), each at its place in its stream, acknowledging all
 * the other side sent so far.
 */
function script(
  port: number,
  parts: { readonly c: readonly Buffer[]; readonly s: readonly Buffer[] },
  sent: ReadonlyArray<readonly ['c' | 's', number]>,
): number[][] {
  const isn = { c: C_ISN, s: S_ISN };
  const offset = (from: 'c' | 's', i: number) => parts[from].slice(0, i).reduce((n, p) => n + p.length, 0);
  const acked = { c: 0, s: 0 };
  const out = [
    segment('c', port, C_ISN, 0, FLAGS.SYN),
    segment('s', port, S_ISN, C_ISN + 1, FLAGS.SYN | FLAGS.ACK),
    segment('c', port, C_ISN + 1, S_ISN + 1, FLAGS.ACK),
  ];
  for (const [from, i] of sent) {
    const part = parts[from][i] as Buffer;
    const other = from === 'c' ? 's' : 'c';
    const flags = FLAGS.PSH | FLAGS.ACK;
    out.push(segment(from, port, isn[from] + 1 + offset(from, i), isn[other] + 1 + acked[other], flags, part));
    acked[from] = Math.max(acked[from], offset(from, i) + part.length);
  }
  return out;
}

const REQUEST = Buffer.from('GET /seam/index.html HTTP/1.1\r\nHost: www.example.com\r\nAccept: */*\r\n\r\n');
const BODY = Buffer.alloc(900, 0x62);
const RESPONSE = Buffer.concat([
  Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${BODY.length}\r\n\r\n`),
  BODY,
]);
const SECOND = Buffer.from('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');

/** `b` cut at the given offsets. */
function cut(b: Buffer, at: readonly number[]): Buffer[] {
  const edges = [0, ...at, b.length];
  return edges.slice(1).map((end, i) => b.subarray(edges[i], end));
}

/** An HTTP exchange: the request in `requestParts`, then the server's segments in the order `order` gives. */
function frames(requestParts: readonly Buffer[], serverParts: readonly Buffer[], order: readonly number[]): number[][] {
  const sent = [...requestParts.map((_, i) => ['c', i] as const), ...order.map((i) => ['s', i] as const)];
  return script(80, { c: requestParts, s: serverParts }, sent);
}

/** The Protocol and Info columns of the lines after the handshake. */
function columns(lines: readonly string[]): string[] {
  return lines.slice(3).map((l) => {
    const m = /^\s*\d+\s+\S+\s+\S+ → \S+\s+(\S+) \d+ (.*)$/.exec(l);
    return m === null ? l : `${m[1]} ${m[2]}`;
  });
}

/** Our packet log of the frames, checked line by line against tshark's; their Protocol and Info after the handshake. */
function logMatchesTshark(name: string, list: number[][]): string[] {
  const bytes = pcap(timed(list), { linkType: 1 });
  const ours = ourLines(bytes);
  if (tshark) assert.deepEqual(ours, tsharkLines(writeCapture(join(tmp.dir, `${name}.pcap`), bytes)));
  return columns(ours);
}

/**
 * Our packet log of the frames where it may part from tshark's: the frames (1-based) at which
 * it differs are exactly `differing`; their Protocol and Info after the handshake.
 */
function logBesideTshark(name: string, list: number[][], differing: readonly number[]): string[] {
  const bytes = pcap(timed(list), { linkType: 1 });
  const ours = ourLines(bytes);
  if (tshark) {
    const theirs = tsharkLines(writeCapture(join(tmp.dir, `${name}.pcap`), bytes));
    assert.equal(ours.length, theirs.length);
    assert.deepEqual(
      ours.flatMap((l, i) => (l === theirs[i] ? [] : [i + 1])),
      differing,
    );
  }
  return columns(ours);
}

/** What the reassembly reported of the same frames: each request's method and status. */
function reassembled(list: number[][]): string[] {
  const found: string[] = [];
  const table = new Conversations({
    sink: { request: (_conn, req, status) => found.push(`${req.method} ${status}`), closed() {} },
  });
  parseAll(pcap(timed(list), { linkType: 1 })).frames.forEach((f, i) => {
    const p = decodePacket(f);
    if (p.transport.kind !== 'tcp') return;
    const seg = table.read(p, p.transport.tcp, i * 1_500_000, 1_700_000_000_000 + i);
    if (seg !== null) table.track(seg, p, p.transport.tcp, 1_700_000_000_000 + i, null);
  });
  table.flushAll();
  return found;
}

/** The response's head cut in two, then its body; the 404 on its own. */
const SERVER_PARTS = cut(Buffer.concat([RESPONSE, SECOND]), [40, 500, RESPONSE.length]);
/** The response's head whole in its first segment, the body in the next two; the 404 on its own. */
const BODY_PARTS = cut(Buffer.concat([RESPONSE, SECOND]), [200, 600, RESPONSE.length]);
const GET = 'HTTP GET /seam/index.html HTTP/1.1 ';
const PART_OF_200 = 'TCP HTTP/1.1 200 OK  [TCP segment of a reassembled PDU]';
const OK = 'HTTP HTTP/1.1 200 OK  (text/plain)';
const NOT_FOUND = 'HTTP HTTP/1.1 404 Not Found ';
const RETRANSMITTED = 'TCP [TCP Retransmission] 80 → 52000 [PSH, ACK] Seq=41 Ack=70 Win=65535 Len=460';

describe('HTTP: one reading, beside tshark segment by segment', () => {
  test('a message split across segments is named on the segment that completes it, in both readings', () => {
    const list = frames(cut(REQUEST, [10, 40]), SERVER_PARTS, [0, 1, 2, 3]);
    assert.deepEqual(logMatchesTshark('split', list), [
      'TCP 52000 → 80 [PSH, ACK] Seq=1 Ack=1 Win=65535 Len=10 [TCP segment of a reassembled PDU]',
      // The first line is complete: tshark names the message it waits for.
      'TCP GET /seam/index.html HTTP/1.1  [TCP segment of a reassembled PDU]',
      GET,
      PART_OF_200,
      // The head ends here and the body goes on: tshark dissected the head, and names it.
      PART_OF_200,
      OK,
      NOT_FOUND,
    ]);
    assert.deepEqual(reassembled(list), ['GET 200']);
  });

  test('a retransmitted segment is read once (tshark hands it to no dissector); a forged copy changes neither reading', () => {
    // The forged copy rewrites the end of the head (Content-Length among it): first wins, in both.
    const forged = Buffer.from(SERVER_PARTS[1] as Buffer).fill(0x7a, 0, 40);
    const withForged = frames([REQUEST], SERVER_PARTS, [0, 1, 2, 3]);
    withForged.splice(6, 0, segment('s', 80, S_ISN + 41, C_ISN + 1 + REQUEST.length, FLAGS.PSH | FLAGS.ACK, forged));
    const cases = { retransmission: frames([REQUEST], SERVER_PARTS, [0, 1, 1, 2, 3]), forged: withForged };
    for (const [name, list] of Object.entries(cases)) {
      assert.deepEqual(
        logMatchesTshark(name, list),
        [GET, PART_OF_200, PART_OF_200, RETRANSMITTED, OK, NOT_FOUND],
        name,
      );
      assert.deepEqual(reassembled(list), ['GET 200'], name);
    }
  });

  test('a lost segment: its message is never shown; what follows the hole waits until the receiver acknowledges past it', () => {
    const list = frames([REQUEST], BODY_PARTS, [0, 2, 3]);
    // Nothing acknowledges past the hole: the bytes after it are held (they may yet come) and
    // read when the connection ends, so neither frame shows them; tshark read both on their own.
    assert.deepEqual(logBesideTshark('lost', list, [6, 7]), [
      GET,
      PART_OF_200,
      'TCP [TCP Previous segment not captured] 80 → 52000 [PSH, ACK] Seq=601 Ack=70 Win=65535 Len=366',
      'TCP 80 → 52000 [PSH, ACK] Seq=967 Ack=70 Win=65535 Len=45',
    ]);
    assert.deepEqual(reassembled(list), ['GET 200']);
    // As a receiver does, the client acknowledges what it got, the hole included: the hole is
    // given up there (the capture missed it; no copy is coming), its bytes read at that frame
    // (for the detectors; the line is the client's), and the 404 is read as it comes.
    const acked = [...list.slice(0, 6), segment('c', 80, C_ISN + 1 + REQUEST.length, S_ISN + 1 + 966, FLAGS.ACK)];
    acked.push(...list.slice(6));
    assert.deepEqual(logBesideTshark('lost-acked', acked, [6]), [
      GET,
      PART_OF_200,
      'TCP [TCP Previous segment not captured] 80 → 52000 [PSH, ACK] Seq=601 Ack=70 Win=65535 Len=366',
      'TCP [TCP ACKed unseen segment] 52000 → 80 [ACK] Seq=70 Ack=967 Win=65535 Len=0',
      NOT_FOUND,
    ]);
  });

  test('reordered segments: the late one completes the message, and its frame shows it; tshark never does', () => {
    // The third segment overtakes the second. tshark (out-of-order reassembly off, its default)
    // hands the late one to no dissector (a second after the other, it is a retransmission to
    // it), so it never shows the response. The endpoint received it whole when the late one
    // came: the one reading shows it there, and the rule engine reads it whole.
    const list = frames([REQUEST], BODY_PARTS, [0, 2, 1, 3]);
    assert.deepEqual(logBesideTshark('reordered', list, [6, 7]), [
      GET,
      PART_OF_200,
      'TCP [TCP Previous segment not captured] 80 → 52000 [PSH, ACK] Seq=601 Ack=70 Win=65535 Len=366',
      'HTTP [TCP Retransmission] HTTP/1.1 200 OK  (text/plain)',
      NOT_FOUND,
    ]);
    assert.deepEqual(reassembled(list), ['GET 200']);
  });

  test('a lost segment of a request body: the rule engine, too, skips it, and reads the next request', () => {
    const post = Buffer.from('POST /form HTTP/1.1\r\nHost: www.example.com\r\nContent-Length: 300\r\n\r\n');
    const body = Buffer.alloc(300, 0x61);
    const next = Buffer.from("GET /?id=1' HTTP/1.1\r\nHost: www.example.com\r\n\r\n");
    const client = cut(Buffer.concat([post, body, next]), [post.length + 100, post.length + 200]);
    const answers = [
      Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'),
      Buffer.from('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n'),
    ];
    // The body's middle third is never captured; the server acknowledges past it, then answers.
    const list = script(80, { c: client, s: [] }, [
      ['c', 0],
      ['c', 2],
    ]);
    const acked = C_ISN + 1 + post.length + body.length + next.length;
    list.push(segment('s', 80, S_ISN + 1, acked, FLAGS.ACK));
    list.push(segment('s', 80, S_ISN + 1, acked, FLAGS.PSH | FLAGS.ACK, answers[0]));
    list.push(segment('s', 80, S_ISN + 1 + (answers[0] as Buffer).length, acked, FLAGS.PSH | FLAGS.ACK, answers[1]));
    assert.deepEqual(reassembled(list), ['POST 200', 'GET 404']);
  });
});

const GREETING = Buffer.from('220 mail.example.org ESMTP\r\n');
const EHLO_REPLY = Buffer.from('250-mail.example.org\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250 8BITMIME\r\n');

/**
 * An SMTP session on port 25, the EHLO reply cut at `at` into three segments (the server's
 * parts 1 to 3) and sent as `reply` says; our lines checked against tshark's.
 */
function smtp(name: string, at: readonly number[], reply: readonly number[]): string[] {
  const parts = {
    c: [Buffer.from('EHLO client.example\r\n'), Buffer.from('MAIL FROM:<a@b>\r\n')],
    s: [GREETING, ...cut(EHLO_REPLY, at), Buffer.from('250 ok\r\n')],
  };
  const sent: Array<readonly ['c' | 's', number]> = [['s', 0], ['c', 0], ...reply.map((i) => ['s', i] as const)];
  sent.push(['c', 1], ['s', 4]);
  return logMatchesTshark(name, script(25, parts, sent));
}

/** As `smtp`, where the log may part from tshark's at the frames `differing`. */
function smtpBesideTshark(
  name: string,
  at: readonly number[],
  reply: readonly number[],
  differing: number[],
): string[] {
  const parts = {
    c: [Buffer.from('EHLO client.example\r\n'), Buffer.from('MAIL FROM:<a@b>\r\n')],
    s: [GREETING, ...cut(EHLO_REPLY, at), Buffer.from('250 ok\r\n')],
  };
  const sent: Array<readonly ['c' | 's', number]> = [['s', 0], ['c', 0], ...reply.map((i) => ['s', i] as const)];
  sent.push(['c', 1], ['s', 4]);
  return logBesideTshark(name, script(25, parts, sent), differing);
}

const MID_LINE = [10, 45];
const AT_LINES = [22, 38];

const SMTP_START = ['SMTP S: 220 mail.example.org ESMTP', 'SMTP C: EHLO client.example'];
const SMTP_END = ['SMTP C: MAIL FROM:<a@b>', 'SMTP S: 250 ok'];

describe('the text protocols on the one reading, beside tshark', () => {
  test('SMTP: a reply split mid-line is read line by line where the segments end', () => {
    assert.deepEqual(smtp('smtp-split', MID_LINE, [1, 2, 3]), [
      ...SMTP_START,
      'TCP 25 → 52000 [PSH, ACK] Seq=29 Ack=22 Win=65535 Len=10 [TCP segment of a reassembled PDU]',
      'SMTP S: 250-mail.example.org | PIPELINING | SIZ',
      'SMTP S:  | 250 8BITMIME',
      ...SMTP_END,
    ]);
  });

  test('SMTP: a retransmitted segment is read once', () => {
    assert.deepEqual(smtp('smtp-retransmission', MID_LINE, [1, 2, 2, 3]), [
      ...SMTP_START,
      'TCP 25 → 52000 [PSH, ACK] Seq=29 Ack=22 Win=65535 Len=10 [TCP segment of a reassembled PDU]',
      'SMTP S: 250-mail.example.org | PIPELINING | SIZ',
      'TCP [TCP Retransmission] 25 → 52000 [PSH, ACK] Seq=39 Ack=22 Win=65535 Len=35',
      'SMTP S:  | 250 8BITMIME',
      ...SMTP_END,
    ]);
  });

  test('SMTP: after a lost segment the lines wait for the acknowledgement past the hole; a late one shows what it completed', () => {
    // The client's next command acknowledges past the hole: the lines after it are read there
    // (the detectors count them) while the frame that carried them shows TCP.
    assert.deepEqual(smtpBesideTshark('smtp-lost', AT_LINES, [1, 3], [7]), [
      ...SMTP_START,
      'SMTP S: 250-mail.example.org',
      'TCP [TCP Previous segment not captured] 25 → 52000 [PSH, ACK] Seq=67 Ack=22 Win=65535 Len=29',
      'SMTP [TCP ACKed unseen segment] C: MAIL FROM:<a@b>',
      'SMTP S: 250 ok',
    ]);
    // The late segment fills the hole: what it and the held one complete is read at once, on
    // its frame (tshark reads the held one on its own and hands the late one to no dissector).
    assert.deepEqual(smtpBesideTshark('smtp-reordered', AT_LINES, [1, 3, 2], [7, 8]), [
      ...SMTP_START,
      'SMTP S: 250-mail.example.org',
      'TCP [TCP Previous segment not captured] 25 → 52000 [PSH, ACK] Seq=67 Ack=22 Win=65535 Len=29',
      'SMTP [TCP Out-Of-Order] S: 250-PIPELINING | SIZE 1000 | 8BITMIME',
      ...SMTP_END,
    ]);
  });
});
