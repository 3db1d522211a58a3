import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { tempDir } from '../gateway/helpers.js';
import { combinedLine, SEED_TIME } from '../logs/fixtures.js';
import { pcap } from '../monitor/helpers/captureWriter.js';
import { ethernet, FLAGS, ipv4, tcp } from '../monitor/helpers/packets.js';
import { startBansho } from './run.js';

/** Like `bansho ARGS | head -1`: take the first line, close the pipe, and see how bansho ends. */
async function firstLineThenClose(args: readonly string[]) {
  const run = startBansho(args);
  await new Promise<void>((resolve) => {
    run.child.stdout.on('data', () => {
      if (run.output.stdout.includes('\n')) resolve();
    });
  });
  run.child.stdout.destroy();
  return { code: await run.exited, first: run.output.stdout.split('\n')[0] as string, stderr: run.output.stderr };
}

describe('a reader that stops reading ends bansho like SIGPIPE would: status 141, no stack trace', () => {
  const tmp = tempDir();
  after(tmp.cleanup);

  it('bansho analyze --json', async () => {
    const log = `${tmp.dir}/access.log`;
    const lines = Array.from({ length: 5000 }, (_, i) =>
      combinedLine('192.0.2.9', SEED_TIME + i * 1000, 'CONNECT maila.microsoft.com:25 / HTTP/1.0', 400, 226),
    );
    writeFileSync(log, `${lines.join('\n')}\n`);
    const r = await firstLineThenClose(['analyze', log, '--json', '--db', `${tmp.dir}/a.db`, '--no-origins']);
    assert.equal(r.code, 141, r.stderr);
    assert.doesNotMatch(r.stderr, /EPIPE|at .*\(/);
    assert.match(r.first, /"prettypark"/);
  });

  it('bansho monitor -r (the packet log)', async () => {
    const frames = Array.from({ length: 50_000 }, (_, i) => ({
      data: ethernet(
        0x0800,
        ipv4(
          { src: '10.1.1.1', dst: '10.1.1.2', proto: 6 },
          tcp({ sport: 1024 + (i % 60_000), dport: 80, seq: 1, flags: FLAGS.SYN }),
        ),
      ),
      sec: 1_000 + i,
      nsec: 0,
    }));
    const file = `${tmp.dir}/syns.pcap`;
    writeFileSync(file, pcap(frames, { linkType: 1 }));
    const r = await firstLineThenClose(['monitor', '-r', file, '--no-store']);
    assert.equal(r.code, 141, r.stderr);
    assert.doesNotMatch(r.stderr, /EPIPE|at .*\(/);
    assert.match(r.first, /^ {4}1 .* 1024 → 80 \[SYN\]/);
  });
});
