import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { pcap } from './helpers/captureWriter.js';
import { bansho, lines } from './helpers/live.js';
import { ethernet, FLAGS, ipv4, tcp } from './helpers/packets.js';
import { tempDir } from './helpers/run.js';

const tmp = tempDir();
after(tmp.cleanup);

const frames = [0, 1, 2, 3].map((i) => ({
  data: ethernet(
    0x0800,
    ipv4({ src: '10.1.1.1', dst: '10.1.1.2', proto: 6 }, tcp({ sport: 4000 + i, dport: 80, seq: 1, flags: FLAGS.SYN })),
  ),
  sec: 1_000 + i,
  nsec: 0,
}));

describe('bansho monitor on damaged captures', () => {
  test('a truncated file: the packets before the damage are printed, then an error naming the offset', async () => {
    const whole = pcap(frames, { linkType: 1 });
    const file = join(tmp.dir, 'truncated.pcap');
    writeFileSync(file, whole.subarray(0, whole.length - 7));
    const r = await bansho(['monitor', '-r', file, '--no-store']);
    assert.equal(r.code, 2);
    const out = lines(r.stdout);
    assert.equal(out.length, 3);
    assert.match(out[2] ?? '', /^ {4}3 .* 4002 → 80 \[SYN\]/);
    const offset = 24 + 3 * (16 + frames[0]!.data.length);
    assert.match(r.stderr, new RegExp(`capture truncated at byte offset ${offset}`));
  });

  test('a file that is not a capture is refused clearly', async () => {
    const file = join(tmp.dir, 'not.pcap');
    writeFileSync(file, 'hello, this is text\n');
    const r = await bansho(['monitor', '-r', file, '--no-store']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /not a pcap or pcapng capture at byte offset 0/);
  });

  test('-r - reads the capture from standard input (a pipe)', async () => {
    const bytes = pcap(frames, { linkType: 1 });
    const r = await bansho(['monitor', '-r', '-', '--no-store'], bytes);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(lines(r.stdout).length, 4);
  });

  test('a --buffer-size that is not a whole number of MiB is refused before tcpdump starts', async () => {
    for (const bad of ['0', '1.5', 'lots', '99999']) {
      const r = await bansho(['monitor', '-i', 'lo', '--buffer-size', bad, '--no-store']);
      assert.equal(r.code, 1, bad);
      assert.match(r.stderr, /--buffer-size <MiB>.*a whole number of MiB from 1 to 4096/, bad);
      assert.doesNotMatch(r.stderr, /capturing on/);
    }
  });

  test('-r and -i together are refused', async () => {
    const r = await bansho(['monitor', '-r', 'x.pcap', '-i', 'lo', '--no-store']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /either -r FILE or -i IFACE/);
  });
});
