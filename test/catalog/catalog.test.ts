import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BUILTIN_RULES_DIR, loadCatalog } from '../../src/catalog/index.js';
import { loadRuleDir } from '../../src/catalog/loadRules.js';
import { CRS_THREATS } from '../../src/crs/index.js';
import { BEHAVIOUR_THREATS } from '../../src/detect/behaviour/httpBehaviour.js';
import { NETWORK_THREATS } from '../../src/detect/network/networkRules.js';
import { LIMIT_THREATS } from '../../src/gateway/recorder.js';

const catalog = loadCatalog();
const rules = loadRuleDir(BUILTIN_RULES_DIR).rules;

describe('the built-in threat catalog', () => {
  it('has at least 40 threats, each complete', () => {
    assert.ok(catalog.all().length >= 40, `${catalog.all().length} threats`);
    for (const t of catalog.all()) {
      assert.ok(t.name && t.targets && t.description.length >= 20 && t.advice.length >= 20, t.id);
      assert.ok(t.references.length > 0, t.id);
    }
  });

  it('covers every threat the issue names', () => {
    const required = [
      'prettypark',
      'sql-slammer',
      'code-red',
      'nimda',
      'blaster',
      'slapper',
      'santy',
      'open-proxy-probe',
      'proxy-judge',
      'mail-relay-attempt',
      'irc-relay-attempt',
      'shellshock',
      'log4shell',
      'spring4shell',
      'struts-ognl',
      'thinkphp-rce',
      'mirai',
      'mozi',
      'phpunit-eval-stdin',
      'env-file-exposure',
      'git-exposure',
      'wordpress-xmlrpc-abuse',
      'wordpress-login-bruteforce',
      'phpmyadmin-probe',
      'sql-injection',
      'xss',
      'path-traversal',
      'command-injection',
      'remote-file-inclusion',
      'nikto',
      'sqlmap',
      'nmap-nse',
      'masscan',
      'zgrab',
      'nuclei',
    ];
    for (const id of required) assert.ok(catalog.get(id), id);
  });

  it("knows PrettyPark's and SQL Slammer's vendor names", () => {
    const pp = catalog.get('prettypark');
    for (const alias of ['TROJ_PRETTY_PARK', 'PE_PRETTYPARK', 'PRETTYPARK.WORM', 'TROJ_PSW.CHV', 'W32.PrettyPark'])
      assert.ok(pp?.aliases.includes(alias), alias);
    assert.equal(pp?.kind, 'worm');
    assert.match(pp?.firstSeen ?? '', /^1999/);
    assert.ok(catalog.get('sql-slammer')?.aliases.includes('W32.SQLExp.Worm'));
  });

  it('every threat is named by a rule or a stateful detector, and every rule names a known threat', () => {
    const named = new Set<string>([
      ...rules.map((r) => r.spec.threat),
      ...NETWORK_THREATS,
      ...BEHAVIOUR_THREATS,
      ...LIMIT_THREATS,
      ...CRS_THREATS,
    ]);
    for (const t of catalog.all()) assert.ok(named.has(t.id), `nothing names ${t.id}`);
    for (const id of LIMIT_THREATS) assert.ok(catalog.get(id), `the gateway names ${id}, which the catalog lacks`);
    for (const id of NETWORK_THREATS) assert.ok(catalog.get(id), `the monitor names ${id}, which the catalog lacks`);
    for (const r of rules) assert.ok(catalog.get(r.spec.threat), `${r.spec.id} → ${r.spec.threat}`);
    for (const id of CRS_THREATS) assert.ok(catalog.get(id), `a CRS match names ${id}, which the catalog lacks`);
  });
});
