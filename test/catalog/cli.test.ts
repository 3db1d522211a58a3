import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const MAIN = join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.ts');
const bansho = (...args: string[]) => run(process.execPath, ['--import', 'tsx', MAIN, ...args], { timeout: 60_000 });

describe('bansho rules / threats', () => {
  it('rules test --json names prettypark for the seed CONNECT, with the matched value and score', async () => {
    const { stdout } = await bansho('rules', 'test', 'CONNECT maila.microsoft.com:25 / HTTP/1.0', '--json');
    const out = JSON.parse(stdout) as {
      verdict: string;
      matches: Array<{ ruleId: string; threatId: string; value: string; score: number }>;
    };
    assert.equal(out.verdict, 'ban');
    const pp = out.matches.find((m) => m.threatId === 'prettypark');
    assert.equal(pp?.value, 'CONNECT maila.microsoft.com:25 / HTTP/1.0');
    assert.ok((pp?.score ?? 0) > 0);
  });

  it('rules test reads a raw request from a file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bansho-cli-'));
    try {
      const file = join(dir, 'req.txt');
      writeFileSync(file, 'GET /cgi-bin/status HTTP/1.1\r\nHost: x\r\nUser-Agent: () { :; }; /bin/bash -c id\r\n\r\n');
      const { stdout } = await bansho('rules', 'test', file);
      assert.match(stdout, /shellshock-function-definition/);
      assert.match(stdout, /threat: shellshock — Shellshock/);
      assert.match(stdout, /verdict: ban/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rules lint passes on the built-in packs and fails on a broken one', async () => {
    const { stdout } = await bansho('rules', 'lint');
    assert.match(stdout, /all pass/);
    const dir = mkdtempSync(join(tmpdir(), 'bansho-cli-'));
    try {
      writeFileSync(join(dir, 'bad.yaml'), 'pack: bad\nrules:\n  - id: Not_Kebab\n');
      await assert.rejects(bansho('rules', 'lint', '--rules-dir', dir), (err: { code: number; stderr: string }) => {
        assert.equal(err.code, 1);
        assert.match(err.stderr, /bad\.yaml:3/);
        return true;
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('threats list and show', async () => {
    const list = await bansho('threats', 'list', '--json');
    const threats = list.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string });
    assert.ok(threats.length >= 40);
    const show = await bansho('threats', 'show', 'prettypark');
    assert.match(show.stdout, /TROJ_PRETTY_PARK/);
    assert.match(show.stdout, /prettypark-connect-mail-four-tokens/);
    await assert.rejects(bansho('threats', 'show', 'no-such-thing'));
  });
});
