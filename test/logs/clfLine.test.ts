import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { resolveFormat } from '../../src/logs/formats.js';
import { compileLogFormat, compileLogFormatPlan } from '../../src/logs/logFormat.js';
import { parseClfTime, parseClfTimeAt } from '../../src/logs/time.js';

const COMMON = '%h %l %u %t "%r" %>s %b';
const COMBINED = '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"';

/** Characters that steer the readers: separators, quotes, escapes, brackets, digits, `-`, CR. */
const pieceChars = fc.constantFrom(' ', '"', '\\', '[', ']', '-', '0', '7', 'a', 'x', '\r', '\t', 'é', '/', ':');
const noise = fc.string({ unit: pieceChars, maxLength: 12 });

/** Lines shaped like CLF with every part replaceable by noise, so the odd paths are walked too. */
const clfish = fc
  .record({
    host: fc.oneof(fc.constant('203.0.113.9'), fc.constant('-'), fc.constant(''), noise),
    ident: fc.oneof(fc.constant('-'), noise),
    time: fc.oneof(
      fc.constant('[10/Oct/2000:13:55:36 -0700]'),
      fc.constant('[31/Dec/2003:23:59:59 +0000]'),
      fc.constant('[10/Oct/2000:13:55:36.250 +0100]'),
      fc.constant('[10/Foo/2000:13:55:36 -0700]'),
      noise,
    ),
    request: fc.oneof(fc.constant('GET / HTTP/1.1'), fc.constant('-'), noise),
    status: fc.oneof(fc.constant('200'), fc.constant('-'), fc.constant('1234567890123456'), noise),
    bytes: fc.oneof(fc.constant('512'), fc.constant('-'), noise),
    referer: fc.oneof(fc.constant('-'), fc.constant(''), noise),
    agent: fc.oneof(fc.constant('curl/8'), fc.constant('-'), noise),
    tail: fc.oneof(fc.constant(''), fc.constant('\r'), noise),
  })
  .map(
    (p) =>
      `${p.host} ${p.ident} - ${p.time} "${p.request}" ${p.status} ${p.bytes} "${p.referer}" "${p.agent}"${p.tail}`,
  );

describe('hand-written common/combined readers', () => {
  for (const spec of [COMMON, COMBINED]) {
    it(`read every line exactly as the compiled plan of ${spec} does`, () => {
      const fast = compileLogFormat(spec);
      const plan = compileLogFormatPlan(spec);
      fc.assert(
        fc.property(fc.oneof(clfish, fc.string({ unit: pieceChars, maxLength: 60 })), (line) => {
          assert.deepEqual(fast(line), plan(line), JSON.stringify(line));
        }),
        { numRuns: 5000 },
      );
    });
  }

  it('are what the named formats and equivalent spellings use', () => {
    const line = '198.51.100.7 - - [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.0" 200 2326 "-" "curl/8"';
    for (const format of [resolveFormat('combined'), resolveFormat(COMBINED.replace('User-agent', 'User-Agent'))]) {
      assert.deepEqual(format.parse(line), {
        client: '198.51.100.7',
        time: Date.UTC(2000, 9, 10, 20, 55, 36),
        requestLine: 'GET /a HTTP/1.0',
        status: 200,
        bytes: 2326,
        headers: [['user-agent', 'curl/8']],
        vhost: null,
        serverPort: null,
      });
    }
  });

  it('undo escapes on a line with backslashes', () => {
    const line = '198.51.100.7 - - [10/Oct/2000:13:55:36 -0700] "GET /\\"x\\x41 HTTP/1.0" 200 1 "-" "a\\\\b"';
    const rec = resolveFormat('combined').parse(line);
    assert.equal(rec?.requestLine, 'GET /"xA HTTP/1.0');
    assert.deepEqual(rec?.headers, [['user-agent', 'a\\b']]);
  });
});

describe('CLF time', () => {
  it('reads every month, and nothing that is not one', () => {
    const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    months.forEach((m, i) => {
      assert.equal(parseClfTime(`[01/${m}/2024:00:00:00 +0000]`), Date.UTC(2024, i, 1));
    });
    for (const bad of ['Jum', 'jan', 'JAN', 'Fex', 'Max', 'Apx', 'Sex', 'Ocx', 'Nox', 'Dex', 'Xyz'])
      assert.equal(parseClfTime(`[01/${bad}/2024:00:00:00 +0000]`), null, bad);
  });
});

describe('CLF time, line after line', () => {
  it('gives each line its own time, whatever the lines before it were', () => {
    const two = fc.integer({ min: 0, max: 99 }).map((n) => String(n).padStart(2, '0'));
    const text = fc
      .tuple(
        fc.constantFrom('01', '31', '1x'),
        fc.constantFrom('Jan', 'Feb', 'Dec', 'Dex'),
        fc.constantFrom('2003', '1999', '0099'),
        fc.constantFrom('00', '23'),
        fc.constantFrom('00', '59'),
        two,
        fc.constantFrom(' +0000', ' -0700', ' +0130', ' x0000', ' +00', '.5 +0000', '.25', ']', ''),
      )
      .map(([d, m, y, h, mi, s, z]) => `${d}/${m}/${y}:${h}:${mi}:${s}${z}`);
    fc.assert(
      fc.property(fc.array(text, { minLength: 2, maxLength: 8 }), (texts) => {
        for (const t of texts) assert.equal(parseClfTimeAt(`[${t}]`, 1), referenceClfTime(t), t);
      }),
      { numRuns: 3000 },
    );
  });
});

/** The CLF layout read field by field with Date.UTC: what parseClfTimeAt must give. */
function referenceClfTime(t: string): number | null {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const digits = (from: number, n: number) =>
    /^\d+$/.test(t.slice(from, from + n)) ? Number(t.slice(from, from + n)) : -1;
  if (t.length < 20 || t[2] !== '/' || t[6] !== '/' || t[11] !== ':') return null;
  const [day, year, hour, minute, second] = [digits(0, 2), digits(7, 4), digits(12, 2), digits(15, 2), digits(18, 2)];
  const month = months.indexOf(t.slice(3, 6));
  if (Math.min(day, year, hour, minute, second, month) < 0) return null;
  let i = 20;
  let ms = 0;
  if (t[i] === '.') {
    const frac = /^\.\d*/.exec(t.slice(i))?.[0] ?? '.';
    ms = Math.round(Number(`0${frac}`) * 1000);
    i += frac.length;
  }
  let offset = 0;
  if (t[i] === ' ') {
    const sign = t[i + 1] === '-' ? -1 : t[i + 1] === '+' ? 1 : 0;
    const [hh, mm] = [digits(i + 2, 2), digits(i + 4, 2)];
    if (sign === 0 || hh < 0 || mm < 0) return null;
    offset = sign * (hh * 60 + mm);
  }
  return Date.UTC(year, month, day, hour, minute, second, ms) - offset * 60_000;
}
