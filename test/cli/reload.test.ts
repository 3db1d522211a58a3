import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BUILTIN_RULES_DIR } from '../../src/catalog/index.js';
import { rawRequest, upstreamForSuite, waitFor } from '../gateway/helpers.js';
import { listeningPort, startBansho } from './run.js';

const PACK = `pack: local
rules:
  - id: local-forbidden-probe
    name: Probe for the forbidden page
    threat: open-proxy-probe
    severity: medium
    score: 5
    action: block
    when:
      - { field: request.path, op: equals, values: [/forbidden-probe] }
    examples:
      match: [GET /forbidden-probe HTTP/1.1]
      nearMiss: [GET /allowed HTTP/1.1]
`;

describe('rules hot reload in a running gateway', () => {
  const site = upstreamForSuite();

  it('SIGHUP picks up a new rule pack; a broken one is refused and the old rules stay', async () => {
    const rules = join(site.dir, 'rules');
    mkdirSync(rules);
    copyFileSync(join(BUILTIN_RULES_DIR, 'proxy-abuse.yaml'), join(rules, 'proxy-abuse.yaml'));
    const config = join(site.dir, 'bansho.yaml');
    writeFileSync(
      config,
      `upstream: ${site.url}\nlisten: 127.0.0.1:0\nrules_dir: ${rules}\ndb: ${join(site.dir, 'r.db')}\n`,
    );
    const { child, output, exited } = startBansho(['serve', '--workers', '1', '--config', config]);
    let port = 0;
    const probe = (ip: string) =>
      rawRequest(port, ip, 'GET /forbidden-probe HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    try {
      port = await waitFor('the gateway to listen', () => listeningPort(output.stderr), 15_000);
      assert.ok((await probe('127.0.0.70')).response.startsWith('HTTP/1.1 200'));

      writeFileSync(join(rules, 'local.yaml'), PACK);
      child.kill('SIGHUP');
      await waitFor('the new rule to be in force', async () =>
        (await probe('127.0.0.71')).response.startsWith('HTTP/1.1 400') ? true : undefined,
      );

      writeFileSync(join(rules, 'broken.yaml'), 'pack: broken\nrules:\n  - id: Not Kebab\n');
      child.kill('SIGHUP');
      await waitFor('the refusal to be logged', () =>
        /reload refused|not reloaded/.test(output.stderr) ? true : undefined,
      );
      assert.ok((await probe('127.0.0.72')).response.startsWith('HTTP/1.1 400'), 'old rules stay in force');
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, output.stderr);
  });
});
