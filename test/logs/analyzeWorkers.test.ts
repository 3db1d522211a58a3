import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { analyzeFilesParallel, startAnalyzeWorkers } from '../../src/logs/parallel.js';
import { analyzeFiles } from '../../src/logs/run.js';
import { openSqlite, SqliteEventStore } from '../../src/store/index.js';
import { analyzeCli, options } from './analyzeRun.js';
import { combinedLine, SEED_TIME, seedYearLog } from './fixtures.js';

/** `bansho analyze` split over worker threads stores what one thread stores; and behind proxies, both name the client alike. */

describe('analyze on worker threads', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'bansho-parallel-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('stores exactly the events the single-threaded analyzer stores, gzip and garbage included', async () => {
    const lines = seedYearLog();
    // Garbage, a repeated line, a repeated threat line (its id counts the occurrence) and a JSON
    // line in the middle, so batches differ in content.
    const threatLine = lines.find((l) => l.includes('"CONNECT ')) as string;
    assert.ok(threatLine, 'the seed log has a CONNECT');
    lines.splice(
      100,
      0,
      'garbage line',
      lines[lines.length - 1] as string,
      threatLine,
      '{"remote_addr":"203.0.113.8","request":"CONNECT foo.com:25 HTTP/1.1"}',
    );
    // Threat lines with bytes outside ASCII (read as latin1, stored as UTF-8), one of them twice:
    // the documents a worker writes as bytes, first occurrence and repeat.
    const nonAscii = combinedLine(
      '198.51.100.77',
      SEED_TIME + 50,
      'GET /../../../../etc/passwd?n=Zo\u00eb\u00ff HTTP/1.1',
      404,
      153,
    );
    lines.splice(60, 0, nonAscii, nonAscii);
    // A path scan spread over many small batches: its finding needs the lines in order.
    for (let i = 0; i < 12; i++)
      lines.splice(
        40 + i * 3,
        0,
        combinedLine('203.0.113.66', SEED_TIME + i * 200, `GET /page${i}.html HTTP/1.1`, 404, 153),
      );
    const file = join(dir, 'access.log');
    writeFileSync(file, `${lines.join('\n')}\n`, 'latin1');
    const gz = join(dir, 'access.log.1.gz');
    writeFileSync(gz, gzipSync(Buffer.from(`${lines.slice(0, 300).join('\n')}\n`, 'latin1')));
    const serialDb = openSqlite(join(dir, 'serial.db'));
    const parallelDb = openSqlite(join(dir, 'parallel.db'));
    const serialStore = new SqliteEventStore(serialDb);
    const parallelStore = new SqliteEventStore(parallelDb);
    const serial = await analyzeFiles([file, gz], options, (e) => serialStore.appendEncodedSync(e));
    const parallel = await analyzeFilesParallel([file, gz], options, (e) => parallelStore.appendEncodedSync(e), {
      workers: startAnalyzeWorkers(2, {}),
      batchBytes: 2048,
    });
    const pick = (s: typeof serial) => {
      const { lines: l, parsed, garbage, blank, noRequest, matchedLines, findings, first, last } = s.analyzer.stats;
      return {
        l,
        parsed,
        garbage,
        blank,
        noRequest,
        matchedLines,
        findings,
        first,
        last,
        made: s.made,
        problems: s.problems,
      };
    };
    assert.deepEqual(pick(parallel), pick(serial));
    const ids = (store: SqliteEventStore) =>
      store
        .querySync({})
        .map((e) => `${e.event.id} ${e.bansho.origin?.file}:${e.bansho.origin?.line}`)
        .sort();
    assert.deepEqual(ids(parallelStore), ids(serialStore));
    // Row for row, as stored: the key made on a worker for a first occurrence, the one made here
    // for the repeated line, and the JSON joined from a worker's pieces, byte for byte.
    const rows = (db: typeof serialDb) =>
      db
        .prepare(
          'SELECT ts, key, action, source_ip, threat_id, rule_id, typeof(doc) AS type, doc FROM events ORDER BY ts, key',
        )
        .all() as Array<{ type: string; doc: string }>;
    assert.deepEqual(rows(parallelDb), rows(serialDb));
    assert.ok(rows(parallelDb).every((r) => r.type === 'text'));
    assert.equal(
      rows(parallelDb).filter((r) => r.doc.includes('Zo\u00eb\u00ff')).length,
      2,
      'both lines outside ASCII',
    );
    assert.equal(parallel.added, serial.added);
    assert.equal(serial.analyzer.stats.findings, 2, 'the scan, once in each file');
    assert.equal(
      serial.added,
      21,
      'the 16 seed lines, the repeated one, the two outside ASCII, the JSON CONNECT and the scan; the gzip repeats the head of the same log, so adds nothing',
    );
  });

  it('reads a pipe given as a file name (bash <(zcat …), a FIFO) to its end', async () => {
    const fifo = join(dir, 'pipe.log');
    execFileSync('mkfifo', [fifo]);
    const lines = seedYearLog();
    // The writer opens the FIFO when the analyzer does, as a shell's process substitution would.
    const writer = new Promise<void>((resolve, reject) => {
      const out = createWriteStream(fifo);
      out.on('error', reject);
      out.end(`${lines.join('\n')}\n`, resolve);
    });
    const store = new SqliteEventStore(openSqlite(join(dir, 'pipe.db')));
    const result = await analyzeFilesParallel([fifo], options, (e) => store.appendEncodedSync(e), {
      workers: startAnalyzeWorkers(2, {}),
      batchBytes: 2048,
    });
    await writer;
    assert.deepEqual(result.problems, []);
    assert.equal(result.analyzer.stats.lines, lines.length);
    assert.equal(result.added, 16, 'the seed incident in every episode');
  });
});

describe('analyze: a server behind proxies (trusted_proxies)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'bansho-proxied-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const PROXY = '10.0.0.5';
  /** nginx.org's `main` format: the proxy logged as the client, the real one in X-Forwarded-For. */
  function proxiedLog(): string {
    const lines = [
      `${combinedLine(PROXY, SEED_TIME, 'CONNECT maila.microsoft.com:25 / HTTP/1.0', 400, 226)} "192.0.2.30"`,
      `${combinedLine(PROXY, SEED_TIME + 500, 'GET / HTTP/1.1', 200, 900)} "-"`,
    ];
    // A scanner that wrote its own X-Forwarded-For, which the proxy then appended to.
    for (let i = 0; i < 11; i++)
      lines.push(
        `${combinedLine(PROXY, SEED_TIME + 1000 + i * 200, `GET /old/p${i}.php HTTP/1.1`, 404, 153)} "198.51.100.40, 192.0.2.31"`,
      );
    return `${lines.join('\n')}\n`;
  }

  const sources = (out: string) =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{"@timestamp"'))
      .map((l) => {
        const e = JSON.parse(l) as { source: { ip: string }; threat?: { software?: { id: string } } };
        return `${e.threat?.software?.id} ${e.source.ip}`;
      })
      .sort();

  it("names the client the proxy's X-Forwarded-For gives, on the main thread and on workers alike", () => {
    const file = join(dir, 'access.log');
    writeFileSync(file, proxiedLog());
    const config = join(dir, 'site.yaml');
    writeFileSync(config, 'trusted_proxies: [10.0.0.0/8]\n');
    const expected = ['prettypark 192.0.2.30', 'web-path-probing 192.0.2.31'];
    for (const workers of ['0', '1']) {
      const out = analyzeCli(
        file,
        '--db',
        join(dir, `w${workers}.db`),
        '--no-origins',
        '--json',
        '--config',
        config,
        '--workers',
        workers,
      );
      assert.deepEqual(sources(out), expected, `--workers ${workers}`);
    }
    const untrusted = analyzeCli(file, '--db', join(dir, 'u.db'), '--no-origins', '--json');
    assert.deepEqual(
      sources(untrusted),
      [`prettypark ${PROXY}`, `web-path-probing ${PROXY}`],
      'without the config, the proxy',
    );
  });
});
