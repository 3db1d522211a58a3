import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type CrsOptions, type CrsRequest, loadCrs } from '../../src/crs/index.js';

const MINI = new URL('../fixtures/crs-mini/', import.meta.url).pathname;
let cacheDir = '';
before(() => {
  cacheDir = mkdtempSync(join(tmpdir(), 'bansho-crs-'));
  process.env.BANSHO_CACHE_DIR = cacheDir;
});
after(() => {
  delete process.env.BANSHO_CACHE_DIR;
  rmSync(cacheDir, { recursive: true, force: true });
});

function request(uri: string, extra: Partial<CrsRequest> = {}): CrsRequest {
  return {
    method: 'GET',
    uri,
    version: 'HTTP/1.1',
    headers: [
      ['Host', 'www.example.org'],
      ['User-Agent', 'Mozilla/5.0'],
    ],
    body: null,
    remoteAddr: '192.0.2.1',
    ...extra,
  };
}

function post(contentType: string, body: string): CrsRequest {
  return request('/submit', {
    method: 'POST',
    headers: [
      ['Host', 'www.example.org'],
      ['Content-Type', contentType],
    ],
    body,
  });
}

const engine = (options: Partial<CrsOptions> = {}) => loadCrs({ dir: MINI, paranoiaLevel: 1, ...options });
const ids = (v: { matches: ReadonlyArray<{ ruleId: number }> }) => v.matches.map((m) => m.ruleId);

describe('CRS engine: anomaly scoring and paranoia levels', () => {
  it('passes a benign request with no match', () => {
    const v = engine().evaluate(request('/index.html?page=2&sort=date'));
    assert.deepEqual(v, {
      blocked: false,
      status: null,
      blockedBy: null,
      inboundScore: 0,
      inboundThreshold: 5,
      outboundScore: 0,
      matches: [],
    });
  });

  it('blocks an injection once its score reaches the threshold, naming the rule and the evidence', () => {
    const v = engine().evaluate(request("/item?id=1'%20or%20'1'='1"));
    assert.equal(v.blocked, true);
    assert.equal(v.status, 403);
    assert.equal(v.blockedBy, 949110);
    assert.equal(v.inboundScore, 5);
    const sqli = v.matches.find((m) => m.ruleId === 942100);
    assert.equal(sqli?.matchedVar, 'ARGS:id');
    assert.equal(sqli?.matchedData, "1' or '1'='1");
    assert.equal(sqli?.severity, 'CRITICAL');
    assert.deepEqual(sqli?.tags, ['attack-sqli', 'paranoia-level/1']);
    assert.equal(sqli?.attack, 'sqli');
    assert.equal(v.matches.find((m) => m.ruleId === 949110)?.attack, null);
    assert.match(sqli?.logdata ?? '', /^Matched Data: s&sos found within ARGS:id: /);
    assert.equal(v.matches.find((m) => m.ruleId === 949110)?.msg, 'Inbound Anomaly Score Exceeded (Total Score: 5)');
  });

  it('runs paranoia-level-2 rules only from PL2, and scores them only when blocking at PL2', () => {
    const uri = '/search?q=select%20the%20best';
    assert.deepEqual(ids(engine().evaluate(request(uri))), []);
    const detecting = engine({ detectionParanoiaLevel: 2 }).evaluate(request(uri));
    assert.deepEqual(ids(detecting), [942999]);
    assert.equal(detecting.inboundScore, 0, 'detection only: not part of the blocking score');
    const pl2 = engine({ paranoiaLevel: 2 }).evaluate(request(uri));
    assert.equal(pl2.inboundScore, 3);
    assert.equal(pl2.blocked, false, 'a warning alone stays under the threshold of 5');
    const strict = engine({ paranoiaLevel: 2, inboundThreshold: 3, blockStatus: 418 }).evaluate(request(uri));
    assert.deepEqual([strict.blocked, strict.status], [true, 418]);
  });

  it('applies exclusions: runtime (ctl) before the rules, configure-time after them', () => {
    const attack = request("/login?password=1'%20or%20'1'='1");
    const runtime = engine({
      exclusions: [
        `SecRule REQUEST_FILENAME "@streq /login" "id:1001,phase:1,pass,nolog,ctl:ruleRemoveTargetById=942100;ARGS:password"`,
      ],
    });
    assert.equal(runtime.evaluate(attack).blocked, false);
    assert.equal(runtime.evaluate(request("/other?password=1'%20or%20'1'='1")).blocked, true);
    const removed = engine({ exclusions: ['SecRuleRemoveById 942100'] });
    assert.deepEqual(ids(removed.evaluate(attack)), []);
    const updated = engine({ exclusions: ['SecRuleUpdateTargetById 942100 "!ARGS:/^pass/"'] });
    assert.equal(updated.evaluate(attack).blocked, false);
  });

  it('reads bodies: urlencoded, JSON, multipart, XML', () => {
    const e = engine();
    const attack = "1' or '1'='1";
    const cases: Array<[string, string, string]> = [
      ['application/x-www-form-urlencoded', `a=1&id=${encodeURIComponent(attack)}`, 'ARGS:id'],
      ['application/json', JSON.stringify({ user: { id: attack } }), 'ARGS:user.id'],
      [
        'multipart/form-data; boundary=XyZ',
        `--XyZ\r\nContent-Disposition: form-data; name="id"\r\n\r\n${attack}\r\n--XyZ--\r\n`,
        'ARGS:id',
      ],
      ['application/xml', `<?xml version="1.0"?><q><id>${attack.replace(/'/g, '&apos;')}</id></q>`, 'XML:/*'],
    ];
    for (const [type, body, variable] of cases) {
      const sqli = e.evaluate(post(type, body)).matches.find((m) => m.ruleId === 942100);
      assert.equal(sqli?.matchedVar, variable, type);
    }
  });

  it('inspects the response in phases 3 and 4 when given one', () => {
    const response = {
      status: 500,
      headers: [['Content-Type', 'text/html']] as [string, string][],
      body: 'You have an error in your SQL syntax near',
    };
    assert.deepEqual(ids(engine().evaluate(request('/x'), response)), [951230]);
    assert.deepEqual(ids(engine().evaluate(request('/x'))), []);
  });

  it('refuses a CRS without its setup, as CRS itself does (901001)', () => {
    const v = loadCrs({ dir: MINI, setupFile: join(MINI, 'rules', 'REQUEST-949-BLOCKING-EVALUATION.conf') }).evaluate(
      request('/'),
    );
    assert.deepEqual([v.blocked, v.status, v.blockedBy], [true, 500, 901001]);
  });

  it('compiles a directory once: the second load comes from the snapshot cache', () => {
    engine({ paranoiaLevel: 3 });
    const snapshots = readdirSync(cacheDir).filter((f) => f.startsWith('crs-'));
    assert.ok(snapshots.length >= 1);
    const before = snapshots.length;
    const again = engine({ paranoiaLevel: 3 });
    assert.equal(readdirSync(cacheDir).filter((f) => f.startsWith('crs-')).length, before);
    assert.equal(again.evaluate(request("/?id=1'%20or%20'1'='1")).blocked, true);
  });
});
