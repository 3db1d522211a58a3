import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadCatalog } from '../../src/catalog/index.js';
import { LogAnalyzer } from '../../src/logs/analyzer.js';
import { BatchAnalyzer, type BatchReply } from '../../src/logs/batch.js';
import { BatchHits, HIT_WIDTH, HitWriter } from '../../src/logs/batchHits.js';
import { NameTable, NumberRows } from '../../src/logs/batchTable.js';
import { resolveFormat } from '../../src/logs/formats.js';
import { analyzeLine, eventPlace, hashText, threatEvent } from '../../src/logs/lineCore.js';
import type { EncodedEvent } from '../../src/store/encodedEvent.js';
import { options } from './analyzeRun.js';
import { combinedLine, SEED_TIME } from './fixtures.js';

const catalog = loadCatalog();
const LABEL = 'logs/access.log';
const fixed = { ...options, format: resolveFormat('combined') };

/** What the store is given for an event: its columns and the document's bytes. */
function stored(e: EncodedEvent): unknown[] {
  return [e.key, e.ts, e.action, e.sourceIp, e.threatId, e.ruleId, Buffer.from(e.doc ?? e.json).toString('hex')];
}

/** The log read on the reading thread alone, line by line: the object path. */
function inProcess(lines: readonly string[]): { events: unknown[][]; analyzer: LogAnalyzer } {
  const analyzer = new LogAnalyzer(fixed);
  analyzer.startFile(LABEL);
  analyzer.lines(LABEL, lines);
  analyzer.endFile(LABEL);
  return { events: analyzer.takeEvents().map(stored), analyzer };
}

/**
 * The log cut into batches of about `batchBytes`, each analysed as a worker does, its reply
 * cloned with its buffers transferred (what postMessage does between threads), then taken back.
 */
function inBatches(text: string, batchBytes: number): { events: unknown[][]; analyzer: LogAnalyzer } {
  const analyzer = new LogAnalyzer(fixed);
  const worker = new BatchAnalyzer(fixed.engine, (id) => catalog.get(id)?.name);
  const bytes = Buffer.from(text, 'latin1');
  analyzer.startFile(LABEL);
  analyzer.prepareFile(LABEL, text.slice(0, 4096).split('\n'));
  const events: unknown[][] = [];
  for (let at = 0, seq = 0; at < bytes.length; seq++) {
    let stop = bytes.indexOf(10, Math.min(bytes.length - 1, at + batchBytes)) + 1;
    if (stop === 0) stop = bytes.length;
    const reply = worker.analyze({
      seq,
      format: 'fixed:combined',
      bytes: new Uint8Array(bytes.subarray(at, stop)),
      fallbackTime: 0,
      identity: analyzer.identityOf(LABEL),
      fileJson: JSON.stringify(LABEL),
    });
    const transfer = [reply.bytes.buffer, reply.hits.buffer, reply.signals.buffer] as ArrayBuffer[];
    if (reply.docs) transfer.push(reply.docs.buffer as ArrayBuffer);
    const moved: BatchReply = structuredClone(reply, { transfer });
    assert.equal(reply.hits.byteLength, 0, 'the rows were transferred, not copied');
    analyzer.acceptBatch(LABEL, moved);
    events.push(...analyzer.takeEvents().map(stored));
    at = stop;
  }
  analyzer.endFile(LABEL);
  return { events, analyzer };
}

/**
 * A log whose results spread over many lines of each batch: thousands of attack lines (rows and
 * docs outgrow their first allocation), repeated lines (re-placed by occurrence), a burst of 404s
 * from one source (behaviour findings, from signals), lines longer than a signal keeps, lines
 * with bytes above 0x7f and escapes, blank and garbage lines, and no newline at the end.
 */
function trickyLog(): string {
  const lines: string[] = [];
  const attacks = [
    'GET /../../../../etc/passwd HTTP/1.1',
    'CONNECT maila.microsoft.com:25 / HTTP/1.0',
    "GET /index.php?id=1'%20UNION%20SELECT%20password%20FROM%20users-- HTTP/1.1",
    'GET http://irc.stealth.net:5558/ HTTP/1.1',
    `GET /.env?${'q'.repeat(1500)} HTTP/1.1`,
  ];
  for (let i = 0; i < 4000; i++) {
    const t = SEED_TIME + i * 1000;
    const ip = `198.51.100.${i % 7}`;
    if (i % 500 === 3) lines.push('');
    else if (i % 450 === 9) lines.push('not a log line \u00e9');
    else if (i % 3 === 0) lines.push(combinedLine(ip, t, `GET /page/${i} HTTP/1.1`, 200, i));
    else if (i % 5 === 1) lines.push(combinedLine('203.0.113.9', t, `GET /missing/${i} HTTP/1.1`, 404, 0));
    else if (i % 11 === 2) lines.push(combinedLine(ip, SEED_TIME, attacks[0] as string, 404, 0));
    else {
      const ua = i % 4 === 0 ? 'Mozilla/5.0 (\u00c9t\u00e9) \\"quoted\\" \\x01' : '-';
      lines.push(combinedLine(ip, t, attacks[i % attacks.length] as string, i % 2 ? 404 : 400, i, ua));
    }
  }
  return lines.join('\n');
}

describe('batch results carried in transferred rows', () => {
  const text = trickyLog();
  const reference = inProcess(text.split('\n'));

  it('give the events the object path gives, whatever the batch size', () => {
    assert.ok(reference.events.length > 2000, 'many threat lines');
    assert.ok(reference.analyzer.stats.findings > 0, 'the burst of 404s makes findings');
    const lines = text.split('\n');
    assert.ok(new Set(lines).size < lines.length - 100, 'many lines repeat one another');
    for (const batchBytes of [300, 4096, 100_000, 1 << 20]) {
      const { events, analyzer } = inBatches(text, batchBytes);
      assert.equal(events.length, reference.events.length, `batches of ${batchBytes} bytes`);
      for (const [i, e] of events.entries())
        assert.deepEqual(e, reference.events[i], `event ${i}, batches of ${batchBytes}`);
      assert.deepEqual(analyzer.stats, reference.analyzer.stats);
    }
  });
});

describe('NumberRows', () => {
  it('keeps every value across its doublings, and hands back only the rows written', () => {
    for (const rows of [0, 1, 63, 64, 65, 128, 129, 1000]) {
      const table = new NumberRows(HIT_WIDTH, 1);
      for (let v = 0; v < rows * HIT_WIDTH; v++) table.add(v === 5 ? 2 ** 52 + 1 : v * 0.5);
      const out = table.rows();
      assert.equal(out.length, rows * HIT_WIDTH);
      for (let v = 0; v < out.length; v++) assert.equal(out[v], v === 5 ? 2 ** 52 + 1 : v * 0.5);
    }
  });
});

describe('BatchHits', () => {
  it('reads a batch without hits (no docs)', () => {
    const hits = new BatchHits(new Float64Array(0), [], null);
    assert.equal(hits.count, 0);
  });

  it("writes each line number into its own hit's room, up to the largest safe integer", () => {
    const format = resolveFormat('combined');
    const threatName = (id: string) => catalog.get(id)?.name;
    const names = new NameTable();
    const writer = new HitWriter('identity', JSON.stringify(LABEL), names);
    const lines = [
      combinedLine('192.0.2.1', SEED_TIME, 'GET /.env HTTP/1.1', 404, 0),
      combinedLine('192.0.2.2', SEED_TIME + 1000, 'GET /.git/config HTTP/1.1', 404, 0),
    ];
    const outcomes = lines.map((line) => analyzeLine(line, format, fixed.engine, 0, null));
    for (const [i, o] of outcomes.entries()) {
      assert.equal(o.kind, 'threat');
      if (o.kind === 'threat') writer.push(i, lines[i] as string, o.observation, o.matches, threatName);
    }
    const hits = new BatchHits(writer.rows(), names.list, writer.docs());
    const expected = (i: number, lineNo: number): string => {
      const o = outcomes[i];
      if (o?.kind !== 'threat') throw new Error('a threat line');
      const line = lines[i] as string;
      const place = eventPlace('identity', 1, hashText(line), '', 0);
      return JSON.stringify(
        threatEvent(line, o.observation, o.matches, threatName, {
          id: place.id,
          origin: { file: LABEL, line: lineNo },
        }),
      );
    };
    // Placed out of order, the first with the longest number its room holds: neither spills into the other.
    const second = hits.firstPlacedDoc(1, 7).toString('utf8');
    const first = hits.firstPlacedDoc(0, Number.MAX_SAFE_INTEGER).toString('utf8');
    assert.equal(first, expected(0, Number.MAX_SAFE_INTEGER));
    assert.equal(second, expected(1, 7));
    assert.equal(hits.firstPlacedDoc(1, 7).toString('utf8'), expected(1, 7));
    assert.equal(hits.lineKey(1), hashText(lines[1] as string));
    assert.deepEqual(
      { ...hits.columns(1) },
      {
        ts: SEED_TIME + 1000,
        action: 'detected',
        sourceIp: '192.0.2.2',
        threatId: 'git-exposure',
        ruleId: 'vcs-metadata-probe',
      },
    );
  });
});
