import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Quarantine } from '../../src/honeypot/quarantine.js';
import { tempDir } from '../gateway/helpers.js';

const DAY = 86_400_000;

describe('quarantine', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());
  const settings = (dir: string, over: Partial<Parameters<typeof Quarantine.open>[0]> = {}) => ({
    dir,
    maxMessageBytes: 1000,
    maxTotalBytes: 10_000,
    retentionMs: 30 * DAY,
    ...over,
  });

  it('keeps a message as a 0600 file in a 0700 directory, named by a generated queue id', async () => {
    const q = Quarantine.open(settings(join(tmp.dir, 'a')));
    const kept = await q.store('Return-Path: <a@b>\r\n', Buffer.from('Subject: hi\r\n\r\nbody\r\n'));
    assert.equal(kept.kind, 'stored');
    if (kept.kind !== 'stored') return;
    assert.match(kept.id, /^[0-9A-F]{12}$/);
    assert.equal(kept.file, join(q.dir, `${kept.id}.eml`));
    assert.equal(statSync(kept.file).mode & 0o777, 0o600);
    assert.equal(statSync(q.dir).mode & 0o777, 0o700);
    assert.equal(readFileSync(kept.file, 'latin1'), 'Return-Path: <a@b>\r\nSubject: hi\r\n\r\nbody\r\n');
    assert.equal(q.totalBytes, kept.bytes);
    await q.close();
  });

  it('bounds each message and the total; a message past the total is refused, not kept', async () => {
    const q = Quarantine.open(settings(join(tmp.dir, 'b'), { maxMessageBytes: 100, maxTotalBytes: 250 }));
    const big = await q.store('', Buffer.alloc(5000, 0x61));
    assert.equal(big.kind === 'stored' && big.bytes, 100);
    assert.equal((await q.store('', Buffer.alloc(100, 0x62))).kind, 'stored');
    const third = await q.store('', Buffer.alloc(100, 0x63));
    assert.equal(third.kind, 'full');
    assert.equal(readdirSync(q.dir).length, 2);
    await q.close();
  });

  it('counts what the directory held at start, drops what is past retention, and touches nothing else', async () => {
    const dir = join(tmp.dir, 'c');
    const first = Quarantine.open(settings(dir));
    const old = await first.store('', Buffer.from('old'));
    const recent = await first.store('', Buffer.from('recent'));
    await first.close();
    assert.ok(old.kind === 'stored' && recent.kind === 'stored');
    const past = (Date.now() - 31 * DAY) / 1000;
    utimesSync(old.file, past, past);
    writeFileSync(join(dir, 'notes.txt'), 'the operator’s own file');
    utimesSync(join(dir, 'notes.txt'), past, past);
    const again = Quarantine.open(settings(dir));
    assert.deepEqual(readdirSync(dir).sort(), [`${recent.id}.eml`, 'notes.txt'].sort());
    assert.equal(again.totalBytes, 6);
    await again.close();
  });
});
