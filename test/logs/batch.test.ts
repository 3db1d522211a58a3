import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadCatalog, loadEngine } from '../../src/catalog/index.js';
import { BatchAnalyzer } from '../../src/logs/batch.js';
import { BatchHits } from '../../src/logs/batchHits.js';
import { resolveFormat } from '../../src/logs/formats.js';
import { analyzeLine } from '../../src/logs/lineCore.js';
import { combinedLine, SEED_TIME } from './fixtures.js';

const engine = loadEngine();
const catalog = loadCatalog();

describe('BatchAnalyzer: one batch of lines', () => {
  it('counts and places every line of a batch that spans many decoded pieces, long lines included', () => {
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const request =
        i % 97 === 0
          ? 'CONNECT maila.microsoft.com:25 / HTTP/1.0'
          : i === 1500
            ? `GET /${'a'.repeat(100_000)} HTTP/1.1`
            : `GET /page/${i} HTTP/1.1`;
      lines.push(
        i % 211 === 5
          ? ''
          : i % 301 === 7
            ? 'not a log line'
            : combinedLine('192.0.2.7', SEED_TIME + i, request, 200, i),
      );
    }
    // No newline after the last line: it still counts.
    const text = lines.join('\n');
    assert.ok(text.length > 200_000, 'the batch is many pieces long');
    const reply = new BatchAnalyzer(engine, (id) => catalog.get(id)?.name).analyze({
      seq: 0,
      format: 'fixed:combined',
      bytes: new Uint8Array(Buffer.from(text, 'latin1')),
      fallbackTime: 0,
      identity: 'file',
      fileJson: '"access.log"',
    });

    const read = new BatchHits(reply.hits, reply.names, reply.docs);
    const hits = Array.from({ length: read.count }, (_, h) => ({ index: read.index(h), ...read.columns(h) }));
    const format = resolveFormat('combined');
    const outcomes = lines.map((line) => analyzeLine(line.slice(0, 65_536), format, engine, 0, null).kind);
    const count = (kind: string) => outcomes.filter((k) => k === kind).length;
    assert.equal(reply.lines, lines.length);
    assert.equal(reply.blank, count('blank'));
    assert.equal(reply.garbage, count('garbage'));
    assert.equal(reply.parsed, count('cleared') + count('clean') + count('threat') + count('no-request'));
    assert.ok(count('cleared') > lines.length / 2, 'most plain lines are cleared before they are parsed');
    assert.deepEqual(
      hits.map((h) => h.index),
      outcomes.flatMap((k, i) => (k === 'threat' ? [i] : [])),
    );
    assert.ok(hits.length >= 30, 'the CONNECTs are found');
    assert.ok(hits.every((h) => h.threatId === 'prettypark' && h.sourceIp === '192.0.2.7'));
  });
});
