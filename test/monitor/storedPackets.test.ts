import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, describe, test } from 'node:test';
import { loadEngine } from '../../src/catalog/index.js';
import { builtInBehaviours } from '../../src/config/builtInDefaults.js';
import type { SecurityEvent } from '../../src/events/securityEvent.js';
import { flowLines } from '../../src/monitor/evidence/flowLines.js';
import { evidenceText, printStoredEvidence } from '../../src/monitor/evidence/storedEvidence.js';
import { LineBuffer } from '../../src/monitor/log/lineBuffer.js';
import { inThreadJudge, Monitor } from '../../src/monitor/monitor.js';
import { SqliteEventStore } from '../../src/store/index.js';
import { pcap, writeCapture } from './helpers/captureWriter.js';
import { bansho, lines } from './helpers/live.js';
import { ethernet, FLAGS, ipv4, OPT, tcp, udp } from './helpers/packets.js';
import { hasTool, parseAll, tempDir, tsharkLines } from './helpers/run.js';
import { httpExchange, type NetPacket, scenario, scenarioV6, timed } from './helpers/scenario.js';
import { tcpConversation } from './helpers/tcpConversation.js';

/**
 * A reported flow keeps its packets as records (`bansho.flow.packets`), not as lines: the lines
 * shown from a stored event are rendered by the live log's renderer, and must read exactly as
 * `bansho monitor -r` printed those frames (and as tshark prints them).
 */
const engine = loadEngine();
const tmp = tempDir();
after(tmp.cleanup);

const CLIENT = '192.168.7.10';
const SERVER = '192.168.7.80';

/** A conversation on a port nothing reads: a lost segment, SACK blocks, a duplicate ACK, urgent data, a reset. */
function lossy(): number[][] {
  const c = (
    seq: number,
    flags: number,
    o: { ack?: number; payload?: string; urg?: number; options?: number[] } = {},
  ) => ipv4({ src: CLIENT, dst: SERVER, proto: 6 }, tcp({ sport: 40444, dport: 7777, seq, flags, ...o }));
  const s = (seq: number, flags: number, o: { ack?: number; options?: number[] } = {}) =>
    ipv4(
      { src: SERVER, dst: CLIENT, proto: 6, ttl: 61 },
      tcp({ sport: 7777, dport: 40444, seq, flags, win: 1000, ...o }),
    );
  const syn = [...OPT.mss(1460), ...OPT.sackPerm(), ...OPT.nop(), ...OPT.ws(3)];
  const sack = OPT.sack([[70_201, 70_301]]);
  return [
    c(70_000, FLAGS.SYN, { options: syn }),
    s(9_000, FLAGS.SYN | FLAGS.ACK, { ack: 70_001, options: syn }),
    c(70_001, FLAGS.ACK, { ack: 9_001 }),
    c(70_001, FLAGS.PSH | FLAGS.ACK, { ack: 9_001, payload: 'a'.repeat(100) }),
    c(70_201, FLAGS.PSH | FLAGS.ACK, { ack: 9_001, payload: 'b'.repeat(100) }),
    s(9_001, FLAGS.ACK, { ack: 70_101, options: [...OPT.nop(), ...OPT.nop(), ...sack] }),
    s(9_001, FLAGS.ACK, { ack: 70_101, options: [...OPT.nop(), ...OPT.nop(), ...sack] }),
    c(70_301, FLAGS.PSH | FLAGS.ACK | FLAGS.URG, { ack: 9_001, payload: 'urgent!', urg: 3 }),
    s(9_001, FLAGS.RST | FLAGS.ACK, { ack: 70_308 }),
  ];
}

/** SMTP (events holding the lines' bytes, one not ASCII) and HTTP whose status line has no code. */
function services(): number[][] {
  const ends = { client: CLIENT, server: SERVER, clientPort: 40555, serverPort: 25, serverTtl: 64 };
  const smtp = tcpConversation(ends, [
    ['s', Buffer.from('220 mail.example ESMTP\r\n')],
    ['c', Buffer.from('EHLO pretty\r\n')],
    ['s', Buffer.from('250-mail.example\r\n250 8BITMIME\r\n')],
    ['c', Buffer.from('MAIL FROM:<caf\xe9@example.com>\r\n', 'latin1')],
    ['s', Buffer.from('550 no\r\n')],
  ]);
  const strip = (frame: number[]) => frame.slice(14);
  const http = httpExchange(40666, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', 'HTTP/1.1 abc\r\nContent-Length: 0\r\n\r\n');
  return [...smtp.map(strip), ...http.map((p) => p.bytes)];
}

/** The capture: a DNS query first (relative times count from it), then TCP over IPv4 and IPv6. */
function capture(nanoseconds: boolean): Buffer {
  const net: NetPacket[] = [
    { version: 4, bytes: ipv4({ src: CLIENT, dst: '192.168.7.53', proto: 17 }, udp(53000, 53, 'not really dns')) },
    ...scenario(),
    ...scenarioV6(),
    ...lossy().map((bytes) => ({ version: 4 as const, bytes })),
    ...services().map((bytes) => ({ version: 4 as const, bytes })),
  ];
  const frames = net.map((p) => ethernet(p.version === 4 ? 0x0800 : 0x86dd, p.bytes));
  return pcap(timed(frames), { linkType: 1, nanoseconds });
}

/** The live log's lines by frame number, and the flow events of every connection. */
function monitorRun(bytes: Buffer): { live: Map<number, string>; flows: SecurityEvent[] } {
  const events: SecurityEvent[] = [];
  const out = new LineBuffer();
  const monitor = new Monitor({
    judge: inThreadJudge({ behaviours: builtInBehaviours(), engine, allFlows: true, onEvent: (e) => events.push(e) }),
    log: true,
    output: out,
  });
  for (const f of parseAll(bytes).frames) monitor.frame(f);
  monitor.end();
  const live = new Map<number, string>();
  for (const line of out
    .textFrom(0)
    .split('\n')
    .filter((l) => l !== ''))
    live.set(frameOf(line), line);
  return { live, flows: events.filter((e) => e.event.action === 'flow') };
}

function frameOf(line: string): number {
  return Number(line.slice(0, 5));
}

/** Every stored flow's rendered lines, checked against the live line of the same frame; returns them all. */
function renderedMatchLive(flows: readonly SecurityEvent[], live: Map<number, string>): string[] {
  const all: string[] = [];
  for (const e of flows) {
    // As the store gives it back: JSON text, parsed.
    const stored = JSON.parse(JSON.stringify(e)) as SecurityEvent;
    for (const line of flowLines(stored.bansho.flow)) {
      assert.equal(line, live.get(frameOf(line)), `frame ${frameOf(line)} of ${e.bansho.flow?.uid}`);
      all.push(line);
    }
  }
  return all;
}

/** The features the capture is built to show, each of which a lost field would change. */
function assertCovered(rendered: readonly string[], ipv6 = true): void {
  const has = (what: string, re: RegExp) =>
    assert.ok(
      rendered.some((l) => re.test(l)),
      `no rendered line shows ${what}`,
    );
  has('SYN options', /MSS=1460 SACK_PERM TSval=100 TSecr=0 WS=128/);
  has('a retransmission', /Retransmission\] /);
  has('a lost segment', /\[TCP Previous segment not captured\]/);
  has('a duplicate ACK', /\[TCP Dup ACK \d+#1\]/);
  has('SACK edges', /SLE=201 SRE=301/);
  has('urgent data', /Urg=3 Len=7/);
  has('HTTP with its media type', /HTTP\/1\.1 200 OK +\(text\/html\)/);
  has('an HTTP status line without a code', / HTTP\/1\.1 abc/);
  has('an SMTP reply', /SMTP \d+ S: 550 no/);
  has('an SMTP command with a byte above ASCII', /C: MAIL FROM:<caf/);
  if (ipv6) has('IPv6 addresses', /[0-9a-f]*:[0-9a-f:]+ → [0-9a-f]*:/);
}

describe('stored flows: packet records rendered on demand', () => {
  for (const nanoseconds of [false, true]) {
    test(`the lines rendered from stored records are the live lines of those frames (${nanoseconds ? 'ns' : 'µs'} pcap)`, () => {
      const { live, flows } = monitorRun(capture(nanoseconds));
      assert.ok(flows.length >= 5, `expected a flow per connection, got ${flows.length}`);
      const rendered = renderedMatchLive(flows, live);
      assertCovered(rendered);
      // The first frame is the DNS query: the flows' relative times count from it, not from their own start.
      assert.ok(flows.every((e) => typeof e.bansho.flow?.packets === 'string' && e.bansho.flow.log === undefined));
    });
  }

  test('with tshark: the rendered lines are tshark’s lines of those frames', { skip: !hasTool('tshark', '-v') }, () => {
    const bytes = capture(true);
    const file = writeCapture(join(tmp.dir, 'stored.pcap'), bytes);
    const theirs = new Map(tsharkLines(file).map((l) => [frameOf(l), l]));
    const { flows } = monitorRun(bytes);
    const rendered = flows.flatMap((e) => flowLines(e.bansho.flow));
    assert.ok(rendered.length >= 40);
    for (const line of rendered) assert.equal(line, theirs.get(frameOf(line)));
  });

  test('bansho monitor -r stores them; bansho monitor --source prints the lines it printed', async () => {
    const file = writeCapture(join(tmp.dir, 'cli.pcap'), capture(true));
    const db = join(tmp.dir, 'cli.db');
    const read = await bansho(['monitor', '-r', file, '--db', db, '--flows']);
    assert.equal(read.code, 0, read.stderr);
    const printed = new Map(lines(read.stdout).map((l) => [frameOf(l), l]));
    const shown = await bansho(['monitor', '--source', CLIENT, '--db', db]);
    assert.equal(shown.code, 0, shown.stderr);
    // Packet lines are indented by four, then the frame number right-aligned in five.
    const packetLines = lines(shown.stdout)
      .filter((l) => /^ {4} *\d+ /.test(l))
      .map((l) => l.slice(4));
    assert.ok(packetLines.length >= 35, shown.stdout);
    for (const line of packetLines) assert.equal(line, printed.get(frameOf(line)));
    // The incident view is one source's: the IPv6 conversation is another's.
    assertCovered(packetLines, false);
  });

  test('an event stored by an older bansho, its lines as text, still shows them; damaged records show none', async () => {
    const { flows } = monitorRun(capture(false));
    const [first, second] = flows;
    assert.ok(first?.bansho.flow && second?.bansho.flow);
    const lines = flowLines(first.bansho.flow);
    const { packets: _p, capture_ts: _t, capture_precision: _c, ...rest } = first.bansho.flow;
    const old: SecurityEvent = { ...first, bansho: { ...first.bansho, flow: { ...rest, log: lines.join('\n') } } };
    const damaged: SecurityEvent = {
      ...second,
      event: { ...second.event, id: `${second.event.id}-damaged` },
      bansho: { ...second.bansho, flow: { ...second.bansho.flow, packets: '[{"frame":"x"}]' } },
    };
    const db = join(tmp.dir, 'old.db');
    const store = new SqliteEventStore(db);
    store.appendSync([old, damaged]);
    await store.close();
    let text = '';
    const out = new Writable({
      write(chunk, _encoding, done) {
        text += String(chunk);
        done();
      },
    });
    assert.equal(await printStoredEvidence(db, CLIENT, out), 0);
    for (const line of lines) assert.ok(text.includes(`\n    ${line}\n`), `missing: ${line}`);
    assert.ok(lines.length >= 5);
    assert.equal(flowLines(damaged.bansho.flow).length, 0);
    assert.ok(evidenceText(damaged).length > 0);
  });
});
