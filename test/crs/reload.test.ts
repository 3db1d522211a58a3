/**
 * SIGHUP reloads CRS in a running `bansho serve` (issue 19): a changed paranoia level,
 * threshold and exclusion in the config take effect without a restart, and a broken CRS file
 * keeps the rules in force and says which file and line.
 */
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { listeningPort, startBansho } from '../cli/run.js';
import { RecordingUpstream, rawRequest, tempDir, waitFor } from '../gateway/helpers.js';

const MINI = new URL('../fixtures/crs-mini/', import.meta.url).pathname;
const SQLI = "/search?q=1'%20or%201=1--%20";
const WORD = '/search?q=select';

const tmp = tempDir('bansho-crs-reload-');
const upstream = new RecordingUpstream();
let upstreamUrl = '';
before(async () => {
  upstreamUrl = await upstream.listen();
});
after(async () => {
  await upstream.close();
  tmp.cleanup();
});

describe('serve: SIGHUP reloads CRS', () => {
  it('takes a changed paranoia level, threshold and exclusion; a broken file keeps the rules in force', async () => {
    const crsDir = join(tmp.dir, 'crs');
    cpSync(MINI, crsDir, { recursive: true });
    const sqliFile = join(crsDir, 'rules', 'REQUEST-942-APPLICATION-ATTACK-SQLI.conf');
    const goodRules = readFileSync(sqliFile, 'utf8');
    const config = join(tmp.dir, 'site.yaml');
    // No packs: what is refused here is refused by CRS alone.
    const noPacks = join(tmp.dir, 'no-packs');
    mkdirSync(noPacks);
    const writeConfig = (crs: string) => writeFileSync(config, `rules_dir: ${noPacks}\ncrs:\n  dir: ${crsDir}\n${crs}`);
    writeConfig('  paranoia_level: 1\n');
    const { child, output, exited } = startBansho(
      [
        'serve',
        '--config',
        config,
        '--upstream',
        upstreamUrl,
        '--listen',
        '127.0.0.1:0',
        '--no-dashboard',
        '--db',
        join(tmp.dir, 'serve.db'),
      ],
      { env: { BANSHO_CACHE_DIR: join(tmp.dir, 'cache') } },
    );
    let n = 0;
    /** The status line of a request from a source of its own (no ban carries over). */
    const status = async (path: string) => {
      const ip = `127.0.0.${50 + n++}`;
      const r = await rawRequest(port, ip, `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
      return r.response.slice(0, r.response.indexOf('\r\n'));
    };
    /** SIGHUP, then the next CRS reload line. */
    const hangUp = async () => {
      const seen = output.stderr.split('bansho: CRS ').length;
      child.kill('SIGHUP');
      return waitFor(
        'the CRS reload line',
        () => output.stderr.split('\n').filter((l) => l.startsWith('bansho: CRS '))[seen - 1],
        60_000,
      );
    };
    let port = 0;
    try {
      port = await waitFor('the gateway to listen', () => listeningPort(output.stderr), 60_000);
      await waitFor('the CRS line', () =>
        /OWASP CRS from .* at paranoia level 1/.test(output.stderr) ? true : undefined,
      );
      assert.equal(await status(WORD), 'HTTP/1.1 200 OK', 'a paranoia level 2 rule does not run at level 1');
      assert.equal(await status(SQLI), 'HTTP/1.1 403 Forbidden');

      writeConfig(`  paranoia_level: 2\n  inbound_threshold: 3\n  exclusions: ['SecRuleRemoveById 942100']\n`);
      assert.match(await hangUp(), /^bansho: CRS reloaded from .*crs at paranoia level 2 \(\d+ rules\)$/);
      assert.equal(await status(WORD), 'HTTP/1.1 403 Forbidden', 'level 2 and the lower threshold are in force');
      assert.equal(await status(SQLI), 'HTTP/1.1 200 OK', 'the exclusion is in force');

      // A broken rule file, and a config that drops the exclusion: nothing of it takes effect.
      appendFileSync(sqliFile, 'SecRule ARGS "@noSuchOperator x" "id:942998,phase:2,pass"\n');
      const brokenLine = goodRules.split('\n').length;
      writeConfig('  paranoia_level: 1\n');
      const refused = await hangUp();
      assert.ok(refused.startsWith('bansho: CRS not reloaded, the rules in force stay: '), refused);
      assert.ok(refused.includes(`REQUEST-942-APPLICATION-ATTACK-SQLI.conf:${brokenLine}:`), refused);
      assert.equal(await status(WORD), 'HTTP/1.1 403 Forbidden');
      assert.equal(await status(SQLI), 'HTTP/1.1 200 OK');

      writeFileSync(sqliFile, goodRules);
      assert.match(await hangUp(), /^bansho: CRS reloaded from .* at paranoia level 1 /);
      assert.equal(await status(SQLI), 'HTTP/1.1 403 Forbidden', 'the exclusion is gone');
      assert.equal(await status(WORD), 'HTTP/1.1 200 OK');
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, output.stderr);
  });
});
