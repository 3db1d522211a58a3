import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { autoFormat, detectFormat, resolveFormat } from '../../src/logs/formats.js';
import { compileLogFormat } from '../../src/logs/logFormat.js';
import { LogFormatError } from '../../src/logs/record.js';
import { parseClfTime } from '../../src/logs/time.js';
import { observationFromRecord } from '../../src/logs/toObservation.js';

const SEED_GET =
  '151.21.4.7 - - [03/Feb/2003:09:12:44 +0900] "GET http://irc.stealth.net:5558/ HTTP/1.1" 200 5120 "-" "-"';
const SEED_CONNECT = '151.21.4.7 - - [03/Feb/2003:09:12:51 +0900] "CONNECT maila.microsoft.com:25 / HTTP/1.0" 400 226';

describe('Apache LogFormat compiler', () => {
  it('parses the seed incident in combined and common', () => {
    const combined = resolveFormat('combined').parse(SEED_GET);
    assert.ok(combined);
    assert.equal(combined.client, '151.21.4.7');
    assert.equal(combined.requestLine, 'GET http://irc.stealth.net:5558/ HTTP/1.1');
    assert.equal(combined.status, 200);
    assert.equal(combined.bytes, 5120);
    assert.equal(new Date(combined.time ?? 0).toISOString(), '2003-02-03T00:12:44.000Z');
    const common = resolveFormat('common').parse(SEED_CONNECT);
    assert.ok(common);
    assert.equal(common.requestLine, 'CONNECT maila.microsoft.com:25 / HTTP/1.0');
    assert.equal(common.status, 400);
  });

  it('builds the same Observation the gateway builds, four-token line and all', () => {
    const rec = resolveFormat('common').parse(SEED_CONNECT);
    assert.ok(rec);
    const obs = observationFromRecord(rec, 0);
    assert.equal(obs.kind, 'http');
    assert.equal(obs.sensor, 'logs');
    assert.equal(obs.request.method, 'CONNECT');
    assert.deepEqual(obs.request.authority, { host: 'maila.microsoft.com', port: 25 });
    assert.match(obs.request.malformed ?? '', /4 tokens/);
    assert.equal(obs.status, 400);
  });

  it('treats a `-` request line as an empty, malformed request', () => {
    const rec = resolveFormat('combined').parse('198.51.100.9 - - [03/Feb/2003:09:00:00 +0000] "-" 408 0 "-" "-"');
    assert.ok(rec);
    assert.equal(rec.requestLine, '');
    assert.equal(observationFromRecord(rec, 0).request.malformed, 'no request line logged');
  });

  it('undoes Apache escapes inside quoted fields', () => {
    const line = '10.0.0.1 - - [01/Jan/2024:00:00:00 +0000] "GET /a\\"b\\x00c HTTP/1.1" 404 0 "-" "curl \\"x\\""';
    const rec = resolveFormat('combined').parse(line);
    assert.ok(rec);
    assert.equal(rec.requestLine, 'GET /a"b\x00c HTTP/1.1');
    assert.deepEqual(rec.headers, [['user-agent', 'curl "x"']]);
  });

  it('compiles any LogFormat, including %{…}i, %v, %D and %{sec}t', () => {
    const parse = compileLogFormat('%v %{X-Forwarded-For}i %h %{sec}t \\"%m %U%q %H\\" %>s %D');
    const rec = parse('shop.example 203.0.113.5 10.1.1.1 1700000000 "POST /login?x=1 HTTP/1.1" 302 1234');
    assert.ok(rec);
    assert.equal(rec.vhost, 'shop.example');
    assert.equal(rec.client, '10.1.1.1');
    assert.equal(rec.time, 1_700_000_000_000);
    assert.equal(rec.requestLine, 'POST /login?x=1 HTTP/1.1');
    assert.deepEqual(rec.headers, [['x-forwarded-for', '203.0.113.5']]);
  });

  it('compiles nginx log_format strings', () => {
    const parse = compileLogFormat('$remote_addr [$time_iso8601] "$request" $status "$http_user_agent"');
    const rec = parse('2001:db8::7 [2024-03-01T10:00:00+00:00] "GET /wp-login.php HTTP/1.1" 404 "Mozilla"');
    assert.ok(rec);
    assert.equal(rec.client, '2001:db8::7');
    assert.equal(rec.time, Date.UTC(2024, 2, 1, 10));
    assert.deepEqual(rec.headers, [['user-agent', 'Mozilla']]);
  });

  it('rejects formats it cannot parse unambiguously', () => {
    assert.throws(() => compileLogFormat('%h%u'), LogFormatError);
    assert.throws(() => compileLogFormat('just text'), LogFormatError);
  });

  it('returns null for garbage, never throws', () => {
    const parse = resolveFormat('combined').parse;
    for (const junk of ['', 'hello', '\x00\xff', '1.2.3.4 - - [bad time] "GET / HTTP/1.1" 200 1 "-" "-"', '{"a":1}']) {
      assert.equal(parse(junk), null);
    }
  });

  it('stays linear on hostile lines (no backtracking)', () => {
    const parse = resolveFormat('combined').parse;
    const evil = `1.2.3.4 - - [01/Jan/2024:00:00:00 +0000] "${'\\"'.repeat(50_000)}${'" '.repeat(50_000)}`;
    assert.equal(parse(evil), null);
  });

  it('parses CLF times with offsets and fractions', () => {
    assert.equal(parseClfTime('[10/Oct/2000:13:55:36 -0700]'), Date.UTC(2000, 9, 10, 20, 55, 36));
    assert.equal(parseClfTime('10/Oct/2000:13:55:36.250 +0000'), Date.UTC(2000, 9, 10, 13, 55, 36, 250));
    assert.equal(parseClfTime('10/Foo/2000:13:55:36 +0000'), null);
  });
});

describe('JSON logs', () => {
  it('reads nginx escape=json, Traefik and ECS documents', () => {
    const json = resolveFormat('json').parse;
    const nginx = json(
      '{"time_iso8601":"2024-05-01T00:00:00+00:00","remote_addr":"192.0.2.1","request":"CONNECT foo.com:25 HTTP/1.1","status":"400","http_user_agent":"-"}',
    );
    assert.equal(nginx?.requestLine, 'CONNECT foo.com:25 HTTP/1.1');
    assert.equal(nginx?.status, 400);
    const traefik = json(
      '{"ClientHost":"172.17.0.1","RequestMethod":"GET","RequestPath":"/x.php","RequestProtocol":"HTTP/1.1","DownstreamStatus":404,"StartUTC":"2021-12-08T14:02:43.46Z","request_User-Agent":"Nikto"}',
    );
    assert.equal(traefik?.requestLine, 'GET /x.php HTTP/1.1');
    assert.deepEqual(traefik?.headers, [['user-agent', 'Nikto']]);
    const ecs = json(
      '{"@timestamp":"2024-01-01T00:00:00Z","source":{"ip":"198.51.100.2"},"http":{"request":{"method":"GET"},"response":{"status_code":200}},"url":{"original":"/"}}',
    );
    assert.equal(ecs?.client, '198.51.100.2');
    assert.equal(ecs?.requestLine, 'GET /');
    assert.equal(ecs?.status, 200);
  });
});

describe('nginx error-log lines that name a request', () => {
  it('reads client, request and host, with or without a syslog prefix', () => {
    const parse = resolveFormat('nginx_error').parse;
    const line =
      '2015/01/21 10:56:10 [error] 2833#0: *16336 open() "/var/www/site/cgi-bin/php4" failed (2: No such file or directory), client: 5.7.9.2, server: localhost, request: "GET /cgi-bin/php4 HTTP/1.1", host: "1.2.3.4"';
    for (const l of [line, `host nginx[2833]: ${line}`]) {
      const rec = parse(l);
      assert.equal(rec?.client, '5.7.9.2');
      assert.equal(rec?.requestLine, 'GET /cgi-bin/php4 HTTP/1.1');
      assert.equal(rec?.time, Date.UTC(2015, 0, 21, 10, 56, 10));
      assert.deepEqual(rec?.headers, [['host', '1.2.3.4']]);
    }
    assert.equal(parse('2015/01/21 10:56:10 [notice] 1#1: signal process started'), null);
  });
});

describe('format detection', () => {
  it('detects common, combined, vhost_combined and json', () => {
    assert.equal(detectFormat([SEED_GET])?.name, 'combined');
    assert.equal(detectFormat([SEED_CONNECT])?.name, 'common');
    assert.equal(detectFormat([`www.example.org:80 ${SEED_GET}`])?.name, 'vhost_combined');
    assert.equal(detectFormat([`www.example.org ${SEED_GET}`])?.name, 'vhost_host_combined');
    assert.equal(detectFormat(['{"remote_addr":"192.0.2.1","request":"GET / HTTP/1.1"}'])?.name, 'json');
    assert.equal(detectFormat(['garbage', 'more garbage']), null);
  });

  it('reads access lines behind a syslog header (nginx to syslog, rsyslog, journald), and nothing else as one', () => {
    const headers = [
      'Sep 15 16:13:46 ip-172-31-43-28.us-east-2.compute.internal nginx[2869]: ',
      '<190>Feb  3 09:12:44 web1 nginx: ',
      '2003-02-03T09:12:44.123456+09:00 web1 apache2[812]: ',
      '<190>1 2003-02-03T00:12:44Z web1 nginx 2869 - - ',
    ];
    for (const h of headers) {
      const format = detectFormat([h + SEED_GET]);
      assert.equal(format?.name, 'syslog:combined', h);
      const rec = format?.parse(h + SEED_GET);
      assert.equal(rec?.client, '151.21.4.7', h);
      assert.equal(rec?.requestLine, 'GET http://irc.stealth.net:5558/ HTTP/1.1', h);
      assert.equal(rec?.time, Date.UTC(2003, 1, 3, 0, 12, 44), 'the time the server logged');
      assert.equal(autoFormat(detectFormat([SEED_GET])).parse(h + SEED_CONNECT)?.status, 400, 'mixed in a plain log');
    }
    const parse = resolveFormat('syslog:combined').parse;
    for (const bad of [
      `Sep 15 16:13:46 host nginx ${SEED_GET}`,
      `Sept 15 16:13:46 host nginx: ${SEED_GET}`,
      `Sep 15 16:1:46 host nginx: ${SEED_GET}`,
      `<1911>Sep 15 16:13:46 host nginx: ${SEED_GET}`,
      `<190>1 2021-09-15T16:13:46Z web1 nginx 2869 - [meta x="1"] ${SEED_GET}`,
      SEED_GET,
    ])
      assert.equal(parse(bad), null, bad);
  });

  it('parses a file that mixes formats line by line', () => {
    const auto = autoFormat(detectFormat([SEED_GET]));
    const lines = [SEED_GET, SEED_CONNECT, '{"remote_addr":"192.0.2.1","request":"GET / HTTP/1.1"}', 'not a log line'];
    const parsed = lines.map((l) => auto.parse(l));
    assert.deepEqual(
      parsed.map((r) => r?.client ?? null),
      ['151.21.4.7', '151.21.4.7', '192.0.2.1', null],
    );
    assert.equal(parsed[0]?.headers.length, 0);
  });
});
