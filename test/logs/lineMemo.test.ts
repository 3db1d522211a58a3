import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadEngine } from '../../src/catalog/index.js';
import { RequestMemo } from '../../src/detect/requestMemo.js';
import { resolveFormat } from '../../src/logs/formats.js';
import { analyzeLine } from '../../src/logs/lineCore.js';
import { recordKey } from '../../src/logs/recordKey.js';
import { combinedLine, SEED_TIME } from './fixtures.js';

const engine = loadEngine();

/**
 * A line judged through the memo (src/detect/requestMemo.ts) must come out as it does without:
 * same outcome, same Observation, same matches in the same order, whichever source repeats a
 * request, and whether its first sight was a threat, a clean line or another file's.
 */
describe('RequestMemo: repeated requests judged once', () => {
  const requests = [
    'GET /.env HTTP/1.1',
    'CONNECT maila.microsoft.com:25 / HTTP/1.0',
    'GET http://irc.stealth.net:5558/ HTTP/1.1',
    "GET /index.php?id=1'%20UNION%20SELECT%20password%20FROM%20users-- HTTP/1.1",
    'GET /missing-page.html HTTP/1.1',
    'POST /wp-login.php HTTP/1.1',
    'GET /cgi-bin/.%2e/.%2e/etc/passwd HTTP/1.1',
  ];
  // Bogon sources make the source's own rule match on some repeats and not on others.
  const sources = ['198.51.100.7', '0.1.2.3', '203.0.113.9', '240.0.0.9', '192.0.2.1'];
  const agents = ['-', 'sqlmap/1.7', 'Mozilla/5.0'];

  it('gives every line the outcome it gets without the memo', () => {
    const format = resolveFormat('combined');
    const memo = new RequestMemo();
    let threats = 0;
    let fromSource = 0;
    for (let i = 0; i < 400; i++) {
      const request = requests[i % requests.length] as string;
      const line = combinedLine(
        sources[(i * 7) % sources.length] as string,
        SEED_TIME + i * 1000,
        request,
        [200, 404, 400][i % 3] as number,
        i,
        agents[(i >> 3) % agents.length],
      );
      const expected = analyzeLine(line, format, engine, 0, null);
      const remembered = analyzeLine(line, format, engine, 0, null, memo);
      assert.deepEqual(remembered, expected, line);
      if (expected.kind === 'threat') {
        threats++;
        if (expected.matches.some((m) => m.ruleId === 'bogon-source-http')) fromSource++;
      }
    }
    assert.ok(threats > 200 && fromSource > 50, `${threats} threats, ${fromSource} from bogon sources`);
  });

  it('tells apart records whose parts would run together in a plain concatenation', () => {
    const record = (requestLine: string, ua: string) => ({
      client: '198.51.100.7',
      time: 0,
      requestLine,
      status: 200,
      bytes: 0,
      headers: [['user-agent', ua]] as const,
      vhost: null,
      serverPort: null,
    });
    assert.notEqual(recordKey(record('GET / HTTP/1.1', '1:x')), recordKey(record('GET / HTTP/1.11:x', '')));
    assert.equal(recordKey(record('GET / HTTP/1.1', 'a')), recordKey(record('GET / HTTP/1.1', 'a')));
  });
});
