import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { httpObservation } from '../../src/detect/examples.js';
import type { FieldName } from '../../src/detect/fieldNames.js';
import { FieldContext } from '../../src/detect/fields.js';
import { TargetTable } from '../../src/detect/targets.js';
import type { TransformName } from '../../src/detect/transforms/index.js';
import type { Observation } from '../../src/observe/observation.js';

const targets = new TargetTable();
const read = (raw: string, field: FieldName, transforms: readonly TransformName[] = []) =>
  new FieldContext(httpObservation(raw)).get(targets.of(field, transforms));

describe('fields', () => {
  it('splits query and form-encoded body arguments, raw', () => {
    const raw = 'POST /p?a=1&b=%27x HTTP/1.1\nContent-Type: application/x-www-form-urlencoded\n\nc=3&flag';
    assert.deepEqual(read(raw, 'args.names'), ['a', 'b', 'c', 'flag']);
    assert.deepEqual(read(raw, 'args.values'), ['1', '%27x', '3']);
    assert.deepEqual(read(raw, 'args.values', ['urlDecode']), ['1', "'x", '3']);
  });

  it('reads JSON bodies as names and scalar values, and ignores truncated JSON', () => {
    const raw =
      'POST /api HTTP/1.1\nContent-Type: application/json\n\n{"user":{"name":"x\' or 1=1","tags":["a",2]},"ok":true}';
    assert.deepEqual(read(raw, 'args.names'), ['user', 'name', 'tags', 'ok']);
    assert.deepEqual(read(raw, 'args.values'), ["x' or 1=1", 'a', '2', 'true']);
    assert.deepEqual(read('POST /api HTTP/1.1\nContent-Type: application/json\n\n{"user": "x', 'args.values'), []);
  });

  it('splits cookies into names and values', () => {
    const raw = 'GET / HTTP/1.1\nCookie: sid=abc; onboarding=done\nCookie: theme=dark\n\n';
    assert.deepEqual(read(raw, 'cookie.names'), ['sid', 'onboarding', 'theme']);
    assert.deepEqual(read(raw, 'cookie.values'), ['abc', 'done', 'dark']);
  });

  it('reads the request line, authority, host and headers', () => {
    const raw = 'GET http://Example.ORG:8080/x?y=1 HTTP/1.1\nHost: Example.org:8080\nUser-Agent: UA\n\n';
    assert.deepEqual(read(raw, 'request.form'), ['absolute']);
    assert.deepEqual(read(raw, 'authority.host'), ['example.org']);
    assert.deepEqual(read(raw, 'authority.port'), ['8080']);
    assert.deepEqual(read(raw, 'host'), ['example.org']);
    assert.deepEqual(read(raw, 'user-agent', ['lowercase']), ['ua']);
    assert.deepEqual(read(raw, 'headers.names'), ['host', 'user-agent']);
    assert.deepEqual(read(raw, 'headers.values'), ['Example.org:8080', 'UA']);
    // Every Host header, each without its port, in order.
    assert.deepEqual(read('GET / HTTP/1.1\nHost: a.example:81\nX: 1\nHost: B.example\n\n', 'host'), [
      'a.example',
      'b.example',
    ]);
    assert.deepEqual(read('GET / HTTP/1.1\n\n', 'headers.values'), []);
    assert.deepEqual(read(raw, 'request.malformed'), []);
    assert.deepEqual(read('GET /x', 'request.malformed'), ['request line without HTTP version']);
  });
});

describe('body arguments', () => {
  it('reads XML tags, attributes and text without expanding anything', () => {
    const raw =
      'POST /x HTTP/1.1\nContent-Type: application/xml\n\n<?xml version="1.0"?><!DOCTYPE root><root><a probe="1 OR 1=1" b=\'2\'>text &e;</a><c/></root>';
    assert.deepEqual(read(raw, 'args.names'), ['root', 'a', 'probe', 'b', 'c']);
    assert.deepEqual(read(raw, 'args.values'), ['1 OR 1=1', '2', 'text &e;']);
  });

  it('reads multipart part names, file names and contents', () => {
    const raw =
      'POST /up HTTP/1.1\nContent-Type: multipart/form-data; boundary=XyZ\n\n--XyZ\r\nContent-Disposition: form-data; name="file"; filename="../../shell.php"\r\nContent-Type: text/plain\r\n\r\n<?php system($_GET[c]); ?>\r\n--XyZ\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n--XyZ--\r\n';
    assert.deepEqual(read(raw, 'args.names'), ['file', 'note']);
    assert.deepEqual(read(raw, 'args.values'), ['../../shell.php', '<?php system($_GET[c]); ?>', 'hello']);
  });

  it('stays linear on a huge attribute-less tag', () => {
    const raw = `POST /x HTTP/1.1\nContent-Type: text/xml\n\n<a ${'x'.repeat(4000)}`;
    assert.deepEqual(read(raw, 'args.names'), ['a']);
  });
});

describe('single-valued fields (one list per field, refilled by each Observation)', () => {
  const datagram = (source: string, sport: number, dport: number, payload: string): Observation => ({
    kind: 'datagram',
    transport: 'udp',
    time: 0,
    sensor: 'monitor',
    source: { ip: source, port: sport },
    destination: { ip: '192.0.2.9', port: dport },
    payload: Buffer.from(payload, 'latin1'),
  });
  const fields: FieldName[] = [
    'source.ip',
    'source.port',
    'destination.port',
    'payload',
    'payload.length',
    'transport',
  ];

  it('each field keeps its own value while the others are read (no list shared between fields)', () => {
    const raw = fields.map((f) => targets.of(f, []));
    // Sized for the targets, so that the context's cache serves the second reads.
    const ctx = new FieldContext(datagram('198.51.100.7', 1000, 53, 'abc'), Math.max(...raw.map((t) => t.id)) + 1);
    const first = raw.map((t) => [...ctx.get(t)]);
    // Read again after all the others: a list shared by two fields would now hold the last one's value.
    const again = raw.map((t) => [...ctx.get(t)]);
    const expected = [['198.51.100.7'], ['1000'], ['53'], ['abc'], ['3'], ['udp']];
    assert.deepEqual(first, expected);
    assert.deepEqual(again, expected);
  });

  it('a later Observation reads its own values, and the transformed values follow', () => {
    const ctx = new FieldContext(datagram('198.51.100.7', 1000, 53, 'ABC'));
    assert.deepEqual(ctx.get(targets.of('payload', ['lowercase'])), ['abc']);
    ctx.load(datagram('203.0.113.5', 2000, 123, 'XYZW'));
    assert.deepEqual(
      fields.map((f) => [...ctx.get(targets.of(f, []))]),
      [['203.0.113.5'], ['2000'], ['123'], ['XYZW'], ['4'], ['udp']],
    );
    assert.deepEqual(ctx.get(targets.of('payload', ['lowercase'])), ['xyzw']);
  });
});
