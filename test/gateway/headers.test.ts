import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fieldTexts } from '../../src/gateway/fieldTexts.js';
import { clientResponseFields } from '../../src/gateway/headers.js';

/** An answer's head as undici hands its fields over: views of the one chunk the socket read. */
function viewsOf(head: string, fields: readonly string[]): Buffer[] {
  // Its own memory, as a socket read's (Buffer.from would place a short head in the shared pool).
  const chunk = Buffer.alloc(Buffer.byteLength(head, 'latin1'));
  chunk.write(head, 'latin1');
  const views: Buffer[] = [];
  let from = 0;
  for (const f of fields) {
    const at = chunk.indexOf(f, from, 'latin1');
    assert.ok(at >= 0, f);
    views.push(chunk.subarray(at, at + Buffer.byteLength(f, 'latin1')));
    from = at + f.length;
  }
  return views;
}

describe('upstream answer fields as text', () => {
  const fields = ['Server', 'nginx', 'Content-Type', 'text/html; charset=\xe9', 'Connection', 'X-Drop', 'X-Drop', '1'];
  const head = `HTTP/1.1 200 OK\r\n${fields.map((f, i) => (i % 2 === 0 ? `${f}: ` : `${f}\r\n`)).join('')}\r\nbody`;

  it('cuts each field of one chunk from a single decode, byte for byte as latin1', () => {
    const views = viewsOf(head, fields);
    assert.deepEqual(fieldTexts(views), fields);
  });

  it('a field decoded before is reused only for the same bytes: one byte apart, same length, is decoded anew', () => {
    const date = (s: string) => {
      const b = Buffer.alloc(29);
      b.write(s, 'latin1');
      return b;
    };
    const first = date('Mon, 07 Dec 2026 15:26:17 GMT');
    assert.deepEqual(fieldTexts([first]), ['Mon, 07 Dec 2026 15:26:17 GMT']);
    assert.deepEqual(fieldTexts([date('Mon, 07 Dec 2026 15:26:17 GMT')]), ['Mon, 07 Dec 2026 15:26:17 GMT']);
    assert.deepEqual(fieldTexts([date('Mon, 07 Dec 2026 15:26:18 GMT')]), ['Mon, 07 Dec 2026 15:26:18 GMT']);
    // The socket's memory is read again for its next answer: what was decoded from it stays as it was.
    first.write('Tue, 08 Dec 2026 09:00:00 GMT', 'latin1');
    assert.deepEqual(fieldTexts([first]), ['Tue, 08 Dec 2026 09:00:00 GMT']);
    const long = Buffer.from(`v=${'\xff'.repeat(100)}`, 'latin1');
    assert.deepEqual(fieldTexts([long, long, Buffer.alloc(0)]), [
      `v=${'\xff'.repeat(100)}`,
      `v=${'\xff'.repeat(100)}`,
      '',
    ]);
  });

  it('takes node strings as they are, and an empty list', () => {
    assert.deepEqual(fieldTexts(fields), fields);
    assert.deepEqual(fieldTexts([]), []);
  });

  it('drops hop-by-hop fields and those Connection names, and adds Via, from views', () => {
    assert.deepEqual(clientResponseFields(viewsOf(head, fields)), [
      'Server',
      'nginx',
      'Content-Type',
      'text/html; charset=\xe9',
      'via',
      '1.1 bansho',
    ]);
  });

  it('drops every hop-by-hop field whatever its case, merges the upstream Via, keeps the rest', () => {
    const answer = [
      'TE',
      'trailers',
      'Trailer',
      'x',
      'UPGRADE',
      'h2c',
      'Keep-Alive',
      'timeout=5',
      'Proxy-Connection',
      'keep-alive',
      'Transfer-Encoding',
      'chunked',
      'Proxy-Authenticate',
      'Basic',
      'Proxy-Authorization',
      'Basic eA==',
      'connection',
      'Keep-Alive, X-HOP-secret',
      'x-hop-SECRET',
      's',
      'VIA',
      '1.0 edge',
      'Via',
      '1.1 cdn',
      'Date',
      'now',
      'Set-Cookie',
      'a=1',
      'Set-Cookie',
      'b=2',
    ];
    const head = `HTTP/1.1 200 OK\r\n${answer.map((f, i) => (i % 2 === 0 ? `${f}: ` : `${f}\r\n`)).join('')}\r\n`;
    const expected = ['Date', 'now', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2', 'via', '1.0 edge, 1.1 cdn, 1.1 bansho'];
    assert.deepEqual(clientResponseFields(viewsOf(head, answer)), expected);
    assert.deepEqual(clientResponseFields(answer), expected);
  });
});
