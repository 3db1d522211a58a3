import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseConfigText, parseMailbox, resolveAbuseConfig } from '../../src/config/index.js';

describe('the abuse section of the config file', () => {
  it("reads the README's example", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const example = /```yaml\n(abuse:[\s\S]*?)```/.exec(readme)?.[1];
    assert.ok(example, 'the README shows an abuse section');
    const c = resolveAbuseConfig(parseConfigText(example, 'README.md').abuse);
    assert.equal(c.smtp?.host, 'smtp.example.org');
    assert.equal(c.smtp?.port, 587);
    assert.equal(c.smtp?.security, 'starttls');
    assert.deepEqual(c.smtp?.auth, { user: 'bansho', passwordEnv: 'BANSHO_SMTP_PASSWORD' });
    assert.deepEqual(c.reporter, { name: 'Example Web Team', email: 'security@example.org' });
    assert.equal(c.dailyCap, 20);
    assert.deepEqual(c.redact, ['192.0.2.0/24', 'intranet.example.org']);
  });

  it('has defaults that send nothing and ask IANA', () => {
    const c = resolveAbuseConfig(undefined);
    assert.equal(c.smtp, null);
    assert.equal(c.rdapBootstrap, null);
    assert.equal(c.rdapTimeoutMs, 10_000);
    assert.equal(c.dailyCap, 10);
    assert.equal(c.windowMs, 30 * 86_400_000);
    assert.equal(c.reporter, null);
  });

  it('takes --rdap-bootstrap over the file, TLS from the start on 465, and the SMTP sender as reporter', () => {
    const file = parseConfigText(
      'abuse:\n  rdap_bootstrap: http://127.0.0.1:9/b.json\n  smtp: { host: mx.example.org, security: tls, from: abuse@example.org }\n',
    );
    const c = resolveAbuseConfig(file.abuse, { rdapBootstrap: 'http://127.0.0.1:10/c.json' });
    assert.equal(c.rdapBootstrap, 'http://127.0.0.1:10/c.json');
    assert.equal(c.smtp?.port, 465);
    assert.deepEqual(c.reporter, { name: null, email: 'abuse@example.org' });
  });

  it('refuses a mistyped key, a bad address and a bad duration by name', () => {
    assert.throws(
      () => parseConfigText('abuse:\n  smtp: { host: h, from: a@b.c, pasword: x }\n'),
      /unknown key "abuse\.smtp\.pasword"/,
    );
    assert.throws(
      () => parseConfigText('abuse:\n  smtp: { host: h, from: nobody }\n'),
      /abuse\.smtp\.from.*e-mail address/,
    );
    assert.throws(() => parseConfigText('abuse:\n  rdap_timeout: soon\n'), /abuse\.rdap_timeout/);
    assert.throws(() => parseConfigText('abuse:\n  rdap_bootstrap: ftp://x/y\n'), /abuse\.rdap_bootstrap.*http/);
  });

  it('reads mailboxes with and without a name', () => {
    assert.deepEqual(parseMailbox('"Web Team" <a@b.example>'), { name: 'Web Team', email: 'a@b.example' });
    assert.deepEqual(parseMailbox('a@b.example'), { name: null, email: 'a@b.example' });
    assert.equal(parseMailbox('a b@c'), null);
  });
});
