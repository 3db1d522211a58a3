import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { autoFormat, detectFormat, resolveFormat } from '../../src/logs/formats.js';
import { parseJsonLine } from '../../src/logs/jsonFormat.js';
import { parseNginxErrorLine } from '../../src/logs/nginxErrorFormat.js';
import { syslogMessageStart } from '../../src/logs/syslogPrefix.js';
import { clfTime } from './fixtures.js';

/** Apache's escaping of a logged request line or header: `"` and `\` escaped, bytes as \xhh. */
function apacheEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (c < 0x20 || c >= 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out;
}

const latin1 = fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: 120 });

describe('log parsers on arbitrary input', () => {
  it('never throw, whatever the line', () => {
    const parsers = [
      resolveFormat('combined').parse,
      resolveFormat('common').parse,
      resolveFormat('vhost_combined').parse,
      resolveFormat('nginx').parse,
      autoFormat(null).parse,
      parseJsonLine,
      parseNginxErrorLine,
      resolveFormat('syslog:combined').parse,
    ];
    fc.assert(
      fc.property(latin1, (line) => {
        for (const p of parsers) p(line);
      }),
      { numRuns: 2000 },
    );
  });

  it("find the server's line behind any syslog header that ends its tag with a colon", () => {
    const word = fc.stringMatching(/^[A-Za-z0-9._-]{1,20}$/);
    const header = fc.oneof(
      fc
        .tuple(fc.nat(191), fc.integer({ min: 1, max: 31 }), word, word)
        .map(([pri, day, host, tag]) => `<${pri}>Sep ${String(day).padStart(2, ' ')} 16:13:46 ${host} ${tag}: `),
      fc
        .tuple(word, word, fc.nat(99999))
        .map(([host, tag, pid]) => `2021-09-15T16:13:46.123456+02:00 ${host} ${tag}[${pid}]: `),
      fc
        .tuple(fc.nat(191), word, word)
        .map(([pri, host, app]) => `<${pri}>1 2021-09-15T16:13:46Z ${host} ${app} 12 - - `),
    );
    fc.assert(
      fc.property(header, latin1, (h, rest) => {
        assert.equal(syslogMessageStart(h + rest), h.length, h);
      }),
      { numRuns: 2000 },
    );
  });

  it('give back exactly what Apache logged: client, time, request line (escapes undone), status, headers', () => {
    const ip = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));
    const time = fc.integer({ min: Date.UTC(1996, 0, 1), max: Date.UTC(2030, 0, 1) }).map((t) => t - (t % 1000));
    fc.assert(
      fc.property(ip, time, latin1, fc.integer({ min: 100, max: 599 }), latin1, (client, t, request, status, ua) => {
        const line = `${client} - - ${clfTime(t)} "${apacheEscape(request)}" ${status} 12 "-" "${apacheEscape(ua)}"`;
        const rec = resolveFormat('combined').parse(line);
        assert.ok(rec, line);
        assert.equal(rec.client, client);
        assert.equal(rec.time, t);
        assert.equal(rec.requestLine, request === '-' ? '' : request);
        assert.equal(rec.status, status);
        assert.deepEqual(rec.headers, ua === '' || ua === '-' ? [] : [['user-agent', ua]]);
        assert.equal(detectFormat([line])?.name, 'combined');
      }),
      { numRuns: 1000 },
    );
  });
});
