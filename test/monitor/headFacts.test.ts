import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { headEnd } from '../../src/monitor/protocols/http/headEnd.js';
import { boundaryOf, type HeadFacts, HeadReader, mediaType } from '../../src/monitor/protocols/http/headFacts.js';

/**
 * The head's facts as its latin1 text says them (the reading headFacts did on a string before
 * it read the bytes in place): split at LF, each header line's name trimmed and lower-cased,
 * its value trimmed.
 */
function textFacts(head: string): HeadFacts {
  let contentLength: number | null = null;
  let chunked = false;
  let upgrade: string | null = null;
  let contentType: string | null = null;
  let boundary: string | null = null;
  let contentEncoding: string | null = null;
  const lines = head.split('\n');
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'content-length' && /^\d{1,15}$/.test(value)) contentLength = Number(value);
    else if (name === 'transfer-encoding' && value.toLowerCase().includes('chunked')) chunked = true;
    else if (name === 'upgrade') upgrade = value.toLowerCase();
    else if (name === 'content-type') {
      contentType = mediaType(value);
      boundary = contentType.startsWith('multipart/') ? boundaryOf(value) : null;
    } else if (name === 'content-encoding') contentEncoding = value.toLowerCase();
  }
  return { contentLength, chunked, upgrade, contentType, boundary, contentEncoding };
}

/**
 * What a HeadReader reads of `head`'s header lines (after its first line), and where it says
 * the head ends; `head` given whole, or in pieces of `piece` bytes (the framer's deliveries).
 * A last line without its LF is given one (it reads whole lines; an LF ending the text changes
 * none of the text's facts).
 */
function read(head: string, content = true, piece = Infinity): { facts: HeadFacts; end: number } {
  const bytes = Buffer.from(head.endsWith('\n') ? head : `${head}\n`, 'latin1');
  const reader = new HeadReader();
  const lf = bytes.indexOf(0x0a);
  reader.begin(lf + 1);
  let end = -1;
  for (let to = Math.min(bytes.length, lf + 1 + piece); end < 0; to = Math.min(bytes.length, to + piece)) {
    end = reader.read(bytes, 0, to, content);
    if (to === bytes.length) break;
  }
  return { facts: { ...reader }, end };
}

/** A small deterministic generator (the same heads on every run). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const NAMES = [
  'Content-Length',
  'content-length',
  'cOnTeNt-LeNgTh',
  'CONTENT-LENGTH',
  ' Content-Length',
  'Content-Length ',
  '\tContent-Length\t',
  '\u00a0Content-Length',
  'Content-Lengt',
  'Content-Lengthh',
  'Content\u00c0Length',
  'Transfer-Encoding',
  'TRANSFER-encoding',
  'Upgrade',
  'uPgRaDe',
  'Content-Type',
  'Content-type',
  'Content-Encoding',
  '\u000bContent-Encoding',
  'Connection',
  'Cookie',
  'User-Agent',
  'Host',
  'T',
  'X-Content-Length',
  '',
];
const VALUES = [
  '42',
  ' 42 ',
  '0',
  '123456789012345',
  '1234567890123456',
  '-1',
  '4 2',
  'chunked',
  'gzip, CHUNKED',
  'xchunkedx',
  'chunke',
  'ChUnKeD ',
  '\u00a012\u00a0',
  '007',
  '12\t',
  'identity',
  'WebSocket',
  'text/html; charset=utf-8',
  'multipart/form-data; boundary=----abc',
  'Multipart/Mixed; boundary="q r"',
  'GZIP',
  '\u00e9t\u00e9',
  '',
  'a:b',
];

function randomHead(next: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
  const end = (): string => pick(['\r\n', '\n', '\r\n', '\r\r\n']);
  let head = pick([
    'GET / HTTP/1.1',
    'HTTP/1.1 200 OK',
    'POST /x HTTP/1.0\r',
    'ICY 200 OK',
    '',
    'GET /\u00ff HTTP/1.1',
  ]);
  const lines = Math.floor(next() * 6);
  for (let i = 0; i < lines; i++) {
    head += end();
    const r = next();
    if (r < 0.1) head += pick(['no colon here', ':leading colon', ' ', '\u00a0']);
    else head += `${pick(NAMES)}${pick([':', ':', ' :', '::'])}${pick(['', ' ', '\t'])}${pick(VALUES)}`;
  }
  if (next() < 0.7) head += end() + end();
  else if (next() < 0.5) head += end();
  return head;
}

describe('HeadReader (bytes read in place)', () => {
  test('says what the head’s text says, on a thousand varied heads', () => {
    const next = random(21);
    for (let i = 0; i < 1000; i++) {
      const head = randomHead(next);
      assert.deepEqual(read(head).facts, textFacts(head), JSON.stringify(head));
    }
  });

  test('without the content facts, says the same of the framing (what detection alone reads)', () => {
    const next = random(5);
    for (let i = 0; i < 1000; i++) {
      const head = randomHead(next);
      const framing = { ...textFacts(head), contentType: null, boundary: null, contentEncoding: null };
      assert.deepEqual(read(head, false).facts, framing, JSON.stringify(head));
    }
  });

  test('ends the head where headEnd does, in the same pass', () => {
    const next = random(8);
    for (let i = 0; i < 1000; i++) {
      const head = randomHead(next);
      const bytes = Buffer.from(head.endsWith('\n') ? head : `${head}\n`, 'latin1');
      assert.equal(read(head).end, headEnd(bytes, 0), JSON.stringify(head));
    }
  });

  test('reads a head that comes in pieces (a line cut anywhere) as it reads it whole, going on where it stopped', () => {
    const next = random(13);
    for (let i = 0; i < 500; i++) {
      const head = randomHead(next);
      const whole = read(head);
      for (const piece of [1, 2, 3, 7])
        assert.deepEqual(read(head, true, piece), whole, `${JSON.stringify(head)} by ${piece}`);
    }
  });

  test('refills its facts for each head', () => {
    const reader = new HeadReader();
    const first = Buffer.from('POST / HTTP/1.1\r\nContent-Length: 5\r\nUpgrade: h2c\r\n\r\n', 'latin1');
    reader.begin(first.indexOf(0x0a) + 1);
    assert.equal(reader.read(first, 0, first.length, true), first.length);
    assert.equal(reader.contentLength, 5);
    const second = Buffer.from('xxGET / HTTP/1.1\r\nHost: a\r\n\r\n', 'latin1');
    reader.begin(second.indexOf(0x0a) + 1 - 2);
    assert.equal(reader.read(second, 2, second.length, true), second.length);
    assert.equal(reader.contentLength, null);
    assert.equal(reader.upgrade, null);
  });

  test('reads the framing headers whatever their case and surrounding white space', () => {
    const { facts } = read(
      'HTTP/1.1 200 OK\r\n CONTENT-length : 12\r\nTransfer-Encoding:\tgzip, Chunked\r\nUpgrade: WebSocket\r\n' +
        'Content-Type: Multipart/Form-Data; boundary=xyz\r\ncontent-encoding: GZIP\r\n\r\n',
    );
    assert.deepEqual(facts, {
      contentLength: 12,
      chunked: true,
      upgrade: 'websocket',
      contentType: 'multipart/form-data',
      boundary: 'xyz',
      contentEncoding: 'gzip',
    });
  });

  test('takes no other header for one of them (a longer, shorter or non-ASCII name)', () => {
    const { facts } = read(
      'GET / HTTP/1.1\r\nContent-Lengthh: 5\r\nContent-Lengt: 6\r\nContent\u00c0Length: 7\r\n\r\n',
    );
    assert.equal(facts.contentLength, null);
  });
});
