import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CLIENT_HELLO, conversationLogs, summaries } from './helpers/conversations.js';

/**
 * PostgreSQL's wire protocol in the packet log, compared line by line with tshark 4.0 where it
 * is installed; the Info texts asserted below were read off tshark's output for the same
 * packets (and for a real psql session against the PostgreSQL server here).
 */
const { tshark, log } = conversationLogs();

/** A typed message: letter, length (counting itself), body. */
const msg = (type: string, body: Buffer | string = ''): Buffer => {
  const data = typeof body === 'string' ? Buffer.from(body, 'latin1') : body;
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeUInt32BE(data.length + 4, 1);
  return Buffer.concat([head, data]);
};
/** An untyped message (startup, SSL request): length, then body. */
const untyped = (body: Buffer): Buffer => {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length + 4);
  return Buffer.concat([head, body]);
};
const startup = untyped(Buffer.from('\x00\x03\x00\x00user\x00postgres\x00database\x00postgres\x00\x00', 'latin1'));
const sslRequest = untyped(Buffer.from([0x04, 0xd2, 0x16, 0x2f]));
/** A DataRow of one text field. */
const row = (text: string): Buffer => {
  const head = Buffer.alloc(6);
  head.writeUInt16BE(1, 0);
  head.writeUInt32BE(text.length, 2);
  return msg('D', Buffer.concat([head, Buffer.from(text)]));
};

describe(`PostgreSQL as tshark summarises it${tshark ? '' : ' (tshark not installed: Info texts only)'}`, () => {
  test('message letters per segment, messages reassembled across segments, SSL refused and accepted', () => {
    const big = row('x'.repeat(3000));
    const tail = Buffer.concat([row('a'), msg('C', 'SELECT 1\0'), msg('Z', 'I')]);
    const lines = log('pgsql', [
      {
        port: 5432,
        steps: [
          ['c', startup],
          [
            's',
            Buffer.concat([msg('R', Buffer.alloc(4)), msg('S', 'a\0b\0'), msg('K', Buffer.alloc(8)), msg('Z', 'I')]),
          ],
          ['c', msg('Q', 'select 1\0')],
          ['s', Buffer.concat([msg('T', Buffer.alloc(20)), row('1'), msg('C', 'SELECT 1\0'), msg('Z', 'I')])],
          // A message's length known, its body cut: reassembled exactly, shown on its own.
          ['s', big.subarray(0, 1000)],
          ['s', big.subarray(1000, 2000)],
          ['s', Buffer.concat([big.subarray(2000), tail])],
          // A header cut short: read with the next segment as one.
          ['s', tail.subarray(0, 3)],
          ['s', tail.subarray(3)],
          ['s', Buffer.concat([msg('E', 'SERROR\0C22012\0Mdivision by zero\0\0'), msg('Z', 'I')])],
          ['c', msg('X')],
        ],
      },
      {
        port: 5432,
        steps: [
          ['c', sslRequest],
          ['s', 'N'],
          ['c', startup],
        ],
      },
      {
        port: 5432,
        steps: [
          ['c', sslRequest],
          ['s', 'S'],
          ['c', CLIENT_HELLO],
        ],
      },
    ]);
    assert.deepEqual(summaries(lines), [
      'PGSQL >',
      'PGSQL <R/S/K/Z',
      'PGSQL >Q',
      'PGSQL <T/D/C/Z',
      // The dissector saw the message start, and waits: its mark, then TCP's note.
      'TCP < [TCP segment of a reassembled PDU]',
      'TCP 5432 → 50000 [PSH, ACK] Seq=1095 Ack=56 Win=65535 Len=1000 [TCP segment of a reassembled PDU]',
      'PGSQL <D<D/C/Z',
      'TCP < [TCP segment of a reassembled PDU]',
      'PGSQL <D/C/Z',
      'PGSQL <E/Z',
      'PGSQL >X',
      'PGSQL >',
      'PGSQL <',
      'PGSQL >',
      'PGSQL >',
      'PGSQL <',
      'TLSv1 Client Hello',
    ]);
  });
});
