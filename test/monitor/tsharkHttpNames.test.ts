import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { ethernet, FLAGS, ipv4, tcp } from './helpers/packets.js';
import {
  exchangesMatchTshark,
  framesBesideTshark,
  framesMatchTshark,
  get,
  OK_EMPTY,
  response,
  tshark,
} from './helpers/tsharkCompare.js';

/** HTTP as tshark names it, on hand-built captures compared line by line with tshark's: methods, bodies by media type, multipart, answers, segments missing. */
describe('HTTP messages named as tshark names them', { skip: tshark ? false : 'tshark not installed' }, () => {
  test('methods beyond the common ones: SCCM’s CCM_POST, RPC over HTTP, M- prefixed; SHOUTcast’s ICY answer', () => {
    const ours = exchangesMatchTshark('methods', [
      ['CCM_POST /ccm_system/request HTTP/1.1\r\nHost: mp\r\nContent-Length: 0\r\n\r\n', OK_EMPTY],
      ['RPC_CONNECT / HTTP/1.1\r\nHost: x\r\n\r\n', OK_EMPTY],
      ['M-POST / HTTP/1.1\r\nHost: x\r\n\r\n', OK_EMPTY],
      ['GET /stream HTTP/1.0\r\n\r\n', 'ICY 200 OK\r\nicy-name: radio\r\n\r\n'],
      ['M-FOO / HTTP/1.1\r\nHost: x\r\n\r\n', OK_EMPTY],
    ]);
    assert.ok(ours.some((l) => / HTTP \d+ CCM_POST \/ccm_system\/request HTTP\/1\.1 $/.test(l)));
    assert.ok(ours.some((l) => l.includes('ICY 200 OK')));
  });

  test('a compressed body is named by what it decodes to; one that decodes to nothing gets no media type', () => {
    const empty = Buffer.alloc(0);
    const ours = exchangesMatchTshark('encodings', [
      [get('/gz-empty'), response('text/html', gzipSync(empty), 'gzip')],
      [get('/gz'), response('text/html', gzipSync('<p>hi</p>'), 'gzip')],
      [get('/x-gz-empty'), response('text/html', gzipSync(empty), 'x-gzip')],
      [get('/GZ-empty'), response('text/html', gzipSync(empty), 'GZIP')],
      [get('/deflate-empty'), response('text/html', deflateSync(empty), 'deflate')],
      [get('/raw-deflate-empty'), response('text/html', deflateRawSync(empty), 'deflate')],
      [get('/br-empty'), response('application/json', brotliCompressSync(empty), 'br')],
      [get('/not-gzip'), response('text/html', Buffer.from('garbage, not gzip at all'), 'gzip')],
      [get('/gz-cut'), response('text/html', gzipSync(empty).subarray(0, 12), 'gzip')],
      [get('/identity'), response('text/html', Buffer.from('<p>hi</p>'), 'identity')],
    ]);
    const responses = ours.filter((l) => l.includes('HTTP/1.1 200 OK'));
    // Six empty bodies, one that is no gzip, one cut inside its header.
    assert.equal(responses.filter((l) => l.endsWith('200 OK ')).length, 8, 'eight bodies decode to nothing');
    assert.ok(
      responses.some((l) => l.endsWith('200 OK  (text/html)')),
      'the gzipped page is named',
    );
  });

  test('bodies are named by media type as tshark’s media dissectors name them', () => {
    const xml = Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<a>b</a>\n');
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de', 'hex');
    const gif = Buffer.from('47494638396101000100800000000000ffffff3b', 'hex');
    const jpeg = Buffer.from('ffd8ffe000104a46494600010100000100010000ffd9', 'hex');
    const bodies = [Buffer.from('hello world'), xml, Buffer.from('{"a":1}'), png, gif, jpeg];
    const types = [
      ...['text/html', 'text/plain', 'text/css', 'text/javascript', 'application/x-javascript'],
      ...['application/javascript', 'text/csv', 'text/xml', 'application/xml', 'image/svg+xml', 'application/rss+xml'],
      ...['application/xhtml+xml', 'application/json', 'application/problem+json', 'application/ld+json', 'text/json'],
      ...['application/octet-stream', 'binary/octet-stream', 'multipart/form-data', 'multipart/byteranges'],
      ...['application/grpc', 'application/x-www-form-urlencoded', 'application/smil', 'application/sdp'],
      ...['image/png', 'image/gif', 'image/jpeg', 'image/webp', 'font/woff2', 'application/pdf', 'foo/bar'],
      ...['Text/HTML; charset="utf-8"', 'APPLICATION/JSON', 'text/html charset=utf-8', 'text/xml;charset=utf-8'],
    ];
    const exchanges: Array<readonly [string, Buffer]> = [];
    for (const type of [...types, null]) for (const body of bodies) exchanges.push([get(), response(type, body)]);
    // The XML switch of text types needs more than 38 bytes.
    exchanges.push([get(), response('text/html', Buffer.from('<?xml version="1.0"?><abc>defghi</abc>'))]);
    exchanges.push([get(), response('text/html', Buffer.from('<?XML version="1.0"?><abc>defghij</abc>'))]);
    const ours = exchangesMatchTshark('media-types', exchanges);
    const infos = new Set(ours.map((l) => l.slice(l.indexOf(' 200 OK ') + 8)));
    for (const seen of [
      ' (text/html)',
      ' (PNG)',
      ' (GIF89a)',
      ' (JPEG JFIF image)',
      ', JavaScript Object Notation (application/json)',
    ])
      assert.ok(infos.has(seen), `some body is named${seen}`);
  });

  test('a response with segments missing is never shown whole; the next one is found where it starts', () => {
    const [client, server] = ['192.168.7.10', '192.168.7.80'];
    const body = (n: number) => Buffer.alloc(n, 0x61);
    const response = (n: number) =>
      Buffer.concat([
        Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${n}\r\n\r\n`),
        body(n),
      ]);
    // Two keep-alive exchanges; the server's bytes cut in 500-byte segments, some never captured.
    const request = Buffer.from('GET /a HTTP/1.1\r\nHost: x\r\n\r\n');
    const stream = Buffer.concat([response(1800), response(600), response(1300), response(300)]);
    const lost = new Set([1, 6]); // inside the first response; at the end of the third
    const c = (seq: number, ack: number, flags: number, payload?: Buffer) =>
      ethernet(
        0x0800,
        ipv4({ src: client, dst: server, proto: 6 }, tcp({ sport: 51000, dport: 80, seq, ack, flags, payload })),
      );
    const s = (seq: number, ack: number, flags: number, payload?: Buffer) =>
      ethernet(
        0x0800,
        ipv4({ src: server, dst: client, proto: 6 }, tcp({ sport: 80, dport: 51000, seq, ack, flags, payload })),
      );
    const frames = [
      c(1000, 0, FLAGS.SYN),
      s(5000, 1001, FLAGS.SYN | FLAGS.ACK),
      c(1001, 5001, FLAGS.ACK),
      c(1001, 5001, FLAGS.PSH | FLAGS.ACK, request),
    ];
    // The client acknowledges each segment it received (the lost ones too: the capture missed them, not the client).
    const ackedAfterHole: number[] = [];
    for (let at = 0, k = 0; at < stream.length; at += 500, k++) {
      if (lost.has(k)) continue;
      frames.push(s(5001 + at, 1001 + request.length, FLAGS.ACK, stream.subarray(at, at + 500)));
      if (lost.has(k - 1)) ackedAfterHole.push(frames.length);
      frames.push(c(1001 + request.length, 5001 + Math.min(at + 500, stream.length), FLAGS.ACK));
    }
    // The one reading holds the bytes after a hole until the acknowledgement past it gives the
    // hole up: the frame that carried them shows TCP, where tshark read them on its own.
    const ours = framesBesideTshark('lost-segments', frames, ackedAfterHole);
    assert.equal(ours.filter((l) => l.includes(' HTTP/1.1 200 OK  (text/plain)')).length, 2, 'the second and fourth');
  });

  test('multipart bodies: each typed part is named by its media dissector, in order, nested ones too', () => {
    const multipart = (parts: ReadonlyArray<readonly [string | null, string]>, boundary = 'XyZ', quoted = false) => {
      const part = ([type, data]: readonly [string | null, string], i: number) =>
        `--${boundary}\r\nContent-Disposition: form-data; name="p${i}"${type ? '; filename="f"' : ''}\r\n` +
        `${type ? `Content-Type: ${type}\r\n` : ''}\r\n${data}\r\n`;
      const body = `${parts.map(part).join('')}--${boundary}--\r\n`;
      const b = quoted ? `"${boundary}"` : boundary;
      return `POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${b}\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    };
    const png = `\x89PNG\r\n\x1a\n${'\x00'.repeat(24)}`;
    const ours = exchangesMatchTshark('multipart', [
      [
        multipart([
          [null, 'a field'],
          ['text/plain', 'hello'],
        ]),
        OK_EMPTY,
      ],
      [multipart([[null, 'only a field']]), OK_EMPTY],
      [
        multipart([
          ['image/png', png],
          ['application/json', '{"a":1}'],
        ]),
        OK_EMPTY,
      ],
      [
        multipart([
          ['application/xml', '<a/>'],
          ['application/json', '[1]'],
          ['TEXT/CSV; charset=utf-8', 'c,d'],
        ]),
        OK_EMPTY,
      ],
      [
        multipart(
          [
            ['application/octet-stream', 'bin'],
            ['text/html', '<p>x</p>'],
          ],
          'a b-c',
          true,
        ),
        OK_EMPTY,
      ],
      [
        multipart([['multipart/mixed; boundary=QQ', '--QQ\r\nContent-Type: text/plain\r\n\r\ninner\r\n--QQ--']]),
        OK_EMPTY,
      ],
      [multipart([]), OK_EMPTY],
    ]);
    assert.ok(
      ours.some(
        (l) => l.includes(' HTTP/XML/JSON ') && l.endsWith('JavaScript Object Notation (application/json) (text/csv)'),
      ),
    );
  });

  test('answers a web server gives: 103 then 200, 204, 206 byte ranges, trailers, HEAD, OPTIONS, pipelining', () => {
    const ranges =
      '--RR\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-4/100\r\n\r\nhello\r\n' +
      '--RR\r\nContent-Type: text/plain\r\nContent-Range: bytes 10-14/100\r\n\r\nworld\r\n--RR--\r\n';
    exchangesMatchTshark('web-answers', [
      [
        get('/early'),
        'HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\nhello',
      ],
      [get('/none'), 'HTTP/1.1 204 No Content\r\n\r\n'],
      [
        get('/range'),
        `HTTP/1.1 206 Partial Content\r\nContent-Type: multipart/byteranges; boundary=RR\r\nContent-Length: ${ranges.length}\r\n\r\n${ranges}`,
      ],
      [
        get('/trailer'),
        'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n5\r\nhello\r\n0\r\nX-Sum: 42\r\n\r\n',
      ],
      [
        get('/both'),
        'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
      ],
      [
        'HEAD /x HTTP/1.1\r\nHost: x\r\n\r\n',
        'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 1234\r\n\r\n',
      ],
      ['OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n', 'HTTP/1.1 204 No Content\r\nAllow: GET, HEAD\r\n\r\n'],
      [get('/a') + get('/b'), `${OK_EMPTY}${OK_EMPTY}`],
    ]);
  });

  test('a FIN after an unfinished request head is plain TCP', () => {
    const [client, server] = ['192.168.7.10', '192.168.7.80'];
    const c = (seq: number, ack: number, flags: number, payload?: string) =>
      ethernet(
        0x0800,
        ipv4({ src: client, dst: server, proto: 6 }, tcp({ sport: 54000, dport: 80, seq, ack, flags, payload })),
      );
    const s = (seq: number, ack: number, flags: number) =>
      ethernet(
        0x0800,
        ipv4({ src: server, dst: client, proto: 6, ttl: 128 }, tcp({ sport: 80, dport: 54000, seq, ack, flags })),
      );
    const ours = framesMatchTshark('fin-after-head', [
      c(1000, 0, FLAGS.SYN),
      s(5000, 1001, FLAGS.SYN | FLAGS.ACK),
      c(1001, 5001, FLAGS.ACK),
      c(1001, 5001, FLAGS.PSH | FLAGS.ACK, 'GET /simple\r\n'),
      s(5001, 1014, FLAGS.ACK),
      c(1014, 5001, FLAGS.FIN | FLAGS.ACK),
      s(5001, 1015, FLAGS.FIN | FLAGS.ACK),
    ]);
    assert.ok(ours.some((l) => / 54000 → 80 \[FIN, ACK\] Seq=14 /.test(l)));
  });

  test('a body that looks like headers, in the segment of the head, is body', () => {
    const body = 'Content-Length: 3\r\nContent-Type: image/png\r\nTransfer-Encoding: chunked\r\n\r\nmore text';
    const ours = exchangesMatchTshark('head-and-body', [
      [get('/echo'), `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`],
    ]);
    assert.ok(ours.some((l) => l.endsWith('HTTP/1.1 200 OK  (text/plain)')));
  });
});
