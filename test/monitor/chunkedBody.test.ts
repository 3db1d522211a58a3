import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHUNKED_INVALID, CHUNKED_MORE, ChunkedBody } from '../../src/monitor/protocols/http/chunkedBody.js';

const bytes = (s: string) => Buffer.from(s, 'latin1');

/** Feed `parts` one after another; returns the body and where the message ended in the last part. */
function run(decoder: ChunkedBody, parts: string[]): { body: string; end: number } {
  let body = '';
  let end = CHUNKED_MORE;
  for (const part of parts) {
    const b = bytes(part);
    end = decoder.feed(b, 0, (start, stop) => {
      body += b.subarray(start, stop).toString('latin1');
    });
  }
  return { body, end };
}

describe('ChunkedBody', () => {
  it('follows chunks, extensions and trailers split anywhere across segments', () => {
    const message = '4;ext=1\r\nWiki\r\n5\r\npedia\r\n0\r\nX-Trailer: y\r\n\r\nGET /next';
    for (let cut = 1; cut < message.length; cut++) {
      const decoder = new ChunkedBody(false);
      const { body, end } = run(decoder, [message.slice(0, cut), message.slice(cut)]);
      assert.equal(body, 'Wikipedia', `cut at ${cut}`);
      assert.equal(decoder.done, true);
      if (cut < message.length - 'GET /next'.length) assert.equal(message.slice(cut).slice(end), 'GET /next');
    }
  });

  it('says it needs more until the last chunk and trailer arrive', () => {
    const decoder = new ChunkedBody(false);
    assert.equal(run(decoder, ['a\r\n0123456789\r\n']).end, CHUNKED_MORE);
    assert.equal(decoder.done, false);
  });

  it('fails on a non-hex size when strict, and treats it as the last chunk when lenient', () => {
    assert.equal(run(new ChunkedBody(false), ['zz\r\n']).end, CHUNKED_INVALID);
    const lenient = new ChunkedBody(true);
    assert.equal(run(lenient, ['zz\r\n', '\r\n']).end, 2);
    assert.equal(lenient.done, true);
  });
});
