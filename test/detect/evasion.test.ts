import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadEngine } from '../../src/catalog/index.js';
import { httpObservation } from '../../src/detect/examples.js';
import { decide } from '../../src/detect/verdict.js';

/** Encodings attackers use to slip past naive matching; each must still be caught, near-misses not. */
const engine = loadEngine({ lists: { site_names: ['localhost'] } });
const threats = (line: string) => new Set(engine.match(httpObservation(line)).map((m) => m.threatId));
const verdict = (line: string) => decide(engine.match(httpObservation(line))).kind;

describe('evasions are caught', () => {
  const cases: Array<[string, string, string]> = [
    ['double encoding', 'GET /dl?f=%252e%252e%252f%252e%252e%252fetc%252fpasswd HTTP/1.1', 'path-traversal'],
    ['..%2f', 'GET /static/..%2f..%2f..%2fetc/passwd HTTP/1.1', 'path-traversal'],
    ['backslashes', 'GET /static/..%5c..%5cboot.ini HTTP/1.1', 'path-traversal'],
    ['%u encoding', 'GET /dl?f=%u002e%u002e%u002f%u002e%u002e%u002fetc%u002fpasswd HTTP/1.1', 'path-traversal'],
    ['overlong UTF-8', 'GET /scripts/..%c0%af..%c0%afwinnt/system32/cmd.exe?/c+dir HTTP/1.0', 'nimda'],
    ['fullwidth dots', 'GET /dl?f=%uff0e%uff0e%u2215%uff0e%uff0e%u2215etc%u2215passwd HTTP/1.1', 'path-traversal'],
    ['mixed case SQL', 'GET /item?id=1%20UnIoN%20AlL%20SeLeCt%201,2 HTTP/1.1', 'sql-injection'],
    ['SQL comments as spaces', 'GET /item?id=1/**/union/**/select/**/1 HTTP/1.1', 'sql-injection'],
    ['tabs and newlines', 'GET /item?id=1%09union%0a%0dselect%091 HTTP/1.1', 'sql-injection'],
    ['NUL in the middle', 'GET /item?q=%3Cscr%00ipt%3Ealert(1) HTTP/1.1', 'xss'],
    ['HTML entities', 'GET /item?q=%26%2360;script%26%2362; HTTP/1.1', 'xss'],
    ['mixed-case tag', 'GET /item?q=%3CsCrIpT%3E HTTP/1.1', 'xss'],
    ['mixed-case method', 'cOnNeCt mail.example.net:25 HTTP/1.1', 'mail-relay-attempt'],
    ['upper-case absolute URI', 'GET HTTP://IRC.STEALTH.NET:5558/ HTTP/1.1', 'prettypark'],
    [
      'overlong path with dot segments',
      `GET /${'a/'.repeat(500)}${'../'.repeat(500)}.env HTTP/1.1`,
      'env-file-exposure',
    ],
    ['path trick to .git', 'GET /assets/..%2f.git/config HTTP/1.1', 'git-exposure'],
    ['Log4Shell nesting', 'GET /?x=%24%7B%24%7Blower%3Aj%7Dndi%3Aldap%3A%2F%2Fa%7D HTTP/1.1', 'log4shell'],
  ];
  for (const [name, line, threat] of cases)
    it(name, () => {
      assert.ok(threats(line).has(threat), `${line} → ${[...threats(line)].join(', ') || 'nothing'}`);
      assert.notEqual(verdict(line), 'allow');
    });
});

describe('near-misses pass (a weak match may log, never block)', () => {
  const benign = [
    'GET /static/app..min.js HTTP/1.1',
    'GET /search?q=union+station+select+tours HTTP/1.1',
    'GET /search?q=o%27reilly+and+sons HTTP/1.1',
    'GET /search?q=if+you+select+from+the+menu HTTP/1.1',
    'GET /blog/2024/03/script-writing-tips HTTP/1.1',
    'GET /docs/environment-variables.html HTTP/1.1',
    'GET /images/logo%20final.png HTTP/1.1',
    'GET /search?q=100%25+cotton HTTP/1.1',
    'GET /redirect?to=%2Faccount%2Fsettings HTTP/1.1',
    'POST /comments HTTP/1.1',
    'GET http://localhost/ HTTP/1.1',
  ];
  for (const line of benign)
    it(line, () => assert.ok(['allow', 'log'].includes(verdict(line)), [...threats(line)].join(', ')));
});
