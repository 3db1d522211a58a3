import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CaptureClock } from '../../src/monitor/capture/clock.js';
import { ownFrame } from '../../src/monitor/capture/frame.js';
import { decodePacket } from '../../src/monitor/decode/packet.js';
import type { ProtocolEvent } from '../../src/monitor/protocols/events.js';
import { Conversations } from '../../src/monitor/tcp/conversations.js';
import { type Conversation, conversationFrames } from './helpers/conversations.js';

/** Every event the conversation table reads off the conversations, frame by frame (copied out). */
function eventsOf(list: readonly Conversation[], readAll = true): ProtocolEvent[] {
  const table = new Conversations({ readAll });
  const clock = new CaptureClock();
  const events: ProtocolEvent[] = [];
  conversationFrames(list).forEach((data, i) => {
    const frame = { number: i + 1, offset: 0, seconds: 1_700_000_000, fraction: i, precision: 6, linkType: 1 };
    const p = decodePacket(ownFrame({ ...frame, originalLength: data.length, data: Uint8Array.from(data) }));
    const t = p.transport;
    if (t.kind !== 'tcp') return;
    const timeMs = frame.seconds * 1000 + i;
    const seg = table.read(p, t.tcp, clock.ns(frame.seconds, frame.fraction, 6), timeMs);
    if (seg === null) return;
    events.push(...seg.events);
    table.track(seg, p, t.tcp, timeMs, null);
  });
  return events;
}

/** The events of `kind`, without their byte views (which belong to the frame read). */
function fieldsOf(events: readonly ProtocolEvent[], kind: ProtocolEvent['kind']): Array<Record<string, unknown>> {
  return events
    .filter((e) => e.kind === kind)
    .map((e) => Object.fromEntries(Object.entries(e).filter(([, v]) => !(v instanceof Uint8Array))));
}

const pgMessage = (type: string, body: Buffer) => {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeUInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
};

describe('protocol analyzers emit typed events', () => {
  test("the login protocols' replies, with their codes as the RFCs define them", () => {
    const events = eventsOf([
      {
        port: 21,
        steps: [
          ['s', '220 ready\r\n'],
          ['c', 'USER root\r\n'],
          ['s', '530 Login incorrect.\r\n'],
        ],
      },
      {
        port: 25,
        steps: [
          ['s', '220 mx ESMTP\r\n'],
          ['c', 'AUTH LOGIN\r\n'],
          ['s', '535 5.7.8 failed\r\n'],
        ],
      },
      { port: 587, steps: [['s', '2200 not a reply code\r\n']] },
      {
        port: 110,
        steps: [
          ['s', '+OK ready\r\n'],
          ['c', 'PASS x\r\n'],
          ['s', '-ERR [AUTH] Authentication failed.\r\n'],
        ],
      },
      {
        port: 143,
        steps: [
          ['s', '* OK ready\r\n'],
          ['c', 'a1 LOGIN u "pw"\r\n'],
          ['s', 'a1 NO [AUTHENTICATIONFAILED] no\r\n'],
        ],
      },
    ]);
    assert.deepEqual(fieldsOf(events, 'ftp_request'), [{ kind: 'ftp_request', command: 'USER' }]);
    assert.deepEqual(
      fieldsOf(events, 'ftp_reply').map((e) => e.code),
      [220, 530],
    );
    assert.deepEqual(
      fieldsOf(events, 'smtp_reply').map((e) => e.code),
      [220, 535, -1],
      'four digits are no reply code',
    );
    assert.deepEqual(fieldsOf(events, 'pop3_reply'), [
      { kind: 'pop3_reply', ok: true, code: null },
      { kind: 'pop3_reply', ok: false, code: 'AUTH' },
    ]);
    assert.deepEqual(fieldsOf(events, 'imap_tagged'), [
      { kind: 'imap_tagged', tag: 'a1', status: 'NO', code: 'AUTHENTICATIONFAILED' },
    ]);
  });

  test("the databases' refusals: PostgreSQL's ErrorResponse fields, MySQL's ERR packet", () => {
    const refusal = Buffer.concat([
      pgMessage('R', Buffer.from([0, 0, 0, 0])),
      pgMessage('E', Buffer.from('SFATAL\0VFATAL\0C28P01\0Mpassword authentication failed\0\0', 'latin1')),
    ]);
    const err = Buffer.concat([Buffer.from([0xff, 0x15, 0x04]), Buffer.from("#28000Access denied for user 'root'")]);
    const events = eventsOf([
      { port: 5432, steps: [['s', refusal]] },
      { port: 3306, steps: [['s', Buffer.concat([Buffer.from([err.length, 0, 0, 2]), err])]] },
    ]);
    assert.deepEqual(fieldsOf(events, 'pgsql_error'), [{ kind: 'pgsql_error', code: '28P01', severity: 'FATAL' }]);
    assert.deepEqual(fieldsOf(events, 'pgsql_messages').at(-1), {
      kind: 'pgsql_messages',
      toServer: false,
      completed: null,
      types: ['R', 'E'],
    });
    assert.deepEqual(fieldsOf(events, 'mysql_error'), [{ kind: 'mysql_error', code: 1045 }]);
  });

  test("a Client Hello's server name; HTTP messages with their first line and the start of their body", () => {
    const name = Buffer.from('www.example.com');
    const sni = Buffer.concat([Buffer.from([0, 0, 0, name.length + 5, 0, name.length + 3, 0, 0, name.length]), name]);
    const hello = Buffer.concat([
      Buffer.from('0303', 'hex'),
      Buffer.alloc(32, 0x11),
      Buffer.from([0, 0, 2, 0xc0, 0x2f, 1, 0]),
      Buffer.from([0, sni.length]),
      sni,
    ]);
    const handshake = Buffer.concat([Buffer.from([1, 0, 0, hello.length]), hello]);
    const record = Buffer.concat([Buffer.from([22, 3, 1, 0, handshake.length]), handshake]);
    const body = '<html></html>';
    const events = eventsOf([
      { port: 443, steps: [['c', record]] },
      {
        port: 80,
        steps: [
          ['c', 'GET /a HTTP/1.1\r\nHost: x\r\n\r\n'],
          ['s', `HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: ${body.length}\r\n\r\n${body}`],
        ],
      },
    ]);
    assert.deepEqual(fieldsOf(events, 'ssl_client_hello'), [
      { kind: 'ssl_client_hello', serverName: 'www.example.com' },
    ]);
    assert.deepEqual(
      fieldsOf(events, 'tls_record').map((e) => [e.contentType, e.handshakes, e.version]),
      [[22, [1], 'TLSv1']],
    );
    const request = events.find((e) => e.kind === 'http_request');
    assert.equal(request?.kind === 'http_request' && `${request.method} ${request.firstLine}`, 'GET GET /a HTTP/1.1');
    const reply = events.find((e) => e.kind === 'http_reply');
    assert.ok(reply?.kind === 'http_reply');
    assert.equal(reply.statusCode, 200);
    assert.equal(reply.body.contentType, 'text/html');
    assert.equal(reply.body.length, body.length);
  });

  test('without the packet log, the services are read for the detectors and HTTP is left to the connections', () => {
    const list: Conversation[] = [
      { port: 21, steps: [['s', '530 Login incorrect.\r\n']] },
      { port: 80, steps: [['c', 'GET / HTTP/1.1\r\n\r\n']] },
      { port: 7777, steps: [['c', 'GET / HTTP/1.1\r\n\r\n']] },
    ];
    assert.deepEqual(
      eventsOf(list, false).map((e) => e.kind),
      ['ftp_reply'],
    );
    assert.deepEqual(
      eventsOf(list, true).map((e) => e.kind),
      ['ftp_reply', 'http_request', 'http_request'],
    );
  });
});
