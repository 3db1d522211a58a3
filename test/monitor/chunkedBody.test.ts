import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHUNKED_MORE, ChunkedBody } from '../../src/monitor/protocols/http/chunkedBody.js';

const bytes = (s: string) => Buffer.from(s, 'latin1');

/** Feed `parts` one after another; returns the body and where the message ended in the last part. */
function run(decoder: ChunkedBody, parts: string[]): { body: string; end: number } {
  let body = '';
  let end = CHUNKED_MORE;
  for (const part of parts) {
    const b = bytes(part);
    end = decoder.feed(b, 0, b.length, {
      data: (start, stop) => {
        body += b.subarray(start, stop).toString('latin1');
      },
    });
  }
  return { body, end };
}

describe('ChunkedBody', () => {
  it('follows chunks, extensions and trailers split anywhere across segments', () => {
    const message = '4;ext=1\r\nWiki\r\n5\r\npedia\r\n0\r\nX-Trailer: y\r\n\r\nGET /next';
    for (let cut = 1; cut < message.length; cut++) {
      const decoder = new ChunkedBody();
      const { body, end } = run(decoder, [message.slice(0, cut), message.slice(cut)]);
      assert.equal(body, 'Wikipedia', `cut at ${cut}`);
      assert.equal(decoder.done, true);
      if (cut < message.length - 'GET /next'.length) assert.equal(message.slice(cut).slice(end), 'GET /next');
    }
  });

  it('says it needs more until the last chunk and trailer arrive', () => {
    const decoder = new ChunkedBody();
    assert.equal(run(decoder, ['a\r\n0123456789\r\n']).end, CHUNKED_MORE);
    assert.equal(decoder.done, false);
  });

  it('reads a non-hex size as the last chunk, and says it was invalid', () => {
    const bad = new ChunkedBody();
    assert.equal(run(bad, ['zz\r\n']).end, CHUNKED_MORE);
    assert.equal(bad.invalid, true);
    assert.equal(run(bad, ['\r\nGET /']).end, 2);
    assert.equal(bad.done, true);
    const good = new ChunkedBody();
    run(good, ['0\r\n\r\n']);
    assert.equal(good.invalid, false);
  });
});
