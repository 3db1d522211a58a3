import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CLIENT_HELLO, conversationLogs, summaries } from './helpers/conversations.js';

/**
 * POP3 and IMAP in the packet log, compared line by line with tshark 4.0 where it is installed;
 * the Info texts asserted below were read off tshark's output for the same packets.
 */
const { tshark, log } = conversationLogs();

describe(`POP3 and IMAP as tshark summarises them${tshark ? '' : ' (tshark not installed: Info texts only)'}`, () => {
  test('POP3: first lines, message data by the size RETR announced, replies that are data, STLS', () => {
    const lines = log('pop', [
      {
        port: 110,
        steps: [
          ['s', '+OK Dovecot ready.\r\n'],
          ['c', 'USER bob\r\nPASS x\r\n'],
          ['s', '-ERR [AUTH] Authentication failed.\r\n'],
          ['c', 'RETR 1\r\n'],
          ['s', '+OK 24 octets\r\n'],
          ['s', 'Subject: a\r\n\r\n'],
          ['s', 'line\r\n.\r\n'],
          ['c', 'LIST\r\n'],
          ['s', '+OK 2 messages:\r\n1 120\r\n'],
          ['s', '2 200\r\n.\r\n'],
          ['s', '+ok lower case\r\n'],
          ['c', 'caf\xe9\x01\r\n'],
          ['c', 'STLS\r\n'],
          ['s', '+OK Begin TLS\r\n'],
          ['c', CLIENT_HELLO],
        ],
      },
    ]);
    assert.deepEqual(summaries(lines), [
      'POP S: +OK Dovecot ready.',
      'POP C: USER bob',
      'POP S: -ERR [AUTH] Authentication failed.',
      'POP C: RETR 1',
      'POP S: +OK 24 octets',
      'POP S: DATA fragment, 14 bytes',
      // 23 of the 24 bytes announced: still a fragment.
      'POP S: DATA fragment, 9 bytes',
      'POP C: LIST',
      'POP S: +OK 2 messages:',
      // No size announced: the next data segment completes "the message" (with the fragments before).
      'POP/IMF subject: a, , line  , .  , 2 200  , .  ',
      // Only +OK and -ERR (as written) are replies.
      'POP/IMF +ok lower case  ',
      'POP C: caf\uFFFD\\001',
      'POP C: STLS',
      'POP S: +OK Begin TLS',
      'TLSv1 Client Hello',
    ]);
  });

  test('IMAP: tagged lines, untagged ones, lines and FETCH literals across segments, LOGIN, STARTTLS', () => {
    const lines = log('imap', [
      {
        port: 143,
        steps: [
          ['s', '* OK [CAPABILITY IMAP4rev1 STARTTLS] ready.\r\n'],
          ['c', 'a1 LOGIN bob secret\r\n'],
          ['s', 'a1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n'],
          ['s', '* 2 EXISTS\r\n* 0 RECENT longer line\r\n'],
          ['s', 'a2 OK done\r\n* 3 EXI'],
          ['s', 'STS\r\n'],
          ['c', 'a3 LOG'],
          ['c', 'OUT\r\n'],
          ['c', 'a4 UID FETCH 1 BODY[]\r\n'],
          ['s', '* 1 FETCH (BODY[] {30}\r\nSubject: x\r\n'],
          ['s', '\r\nbody body body\r\n)\r\na4 OK\r\n'],
          ['s', '* 1 FETCH (FLAGS (\\Seen))\r\na5 OK\r\n'],
          ['c', 'a6 LOGIN bob x\r\n'],
          ['c', 'caf\xe9\x01 x\r\n'],
          ['c', 'a9 STARTTLS\r\n'],
          ['s', 'a9 OK go\r\n'],
          ['c', CLIENT_HELLO],
        ],
      },
      // A capture that starts after STARTTLS: the heuristic finds TLS in the first bytes.
      { port: 143, steps: [['c', CLIENT_HELLO]] },
      // A FETCH with no parenthesis: tshark waits for more, and more, and shows nothing else.
      {
        port: 143,
        steps: [
          ['s', '* 1 FETCH\r\n'],
          ['s', 'a1 OK\r\n'],
        ],
      },
    ]);
    assert.deepEqual(summaries(lines), [
      'IMAP Response: * OK [CAPABILITY IMAP4rev1 STARTTLS] ready.',
      'IMAP Request: a1 LOGIN bob secret',
      'IMAP Response: a1 NO [AUTHENTICATIONFAILED] Authentication failed.',
      // Only untagged lines: the data's start, as long as the last line (a quirk kept).
      'IMAP Response: * 2 EXISTS\\r\\n* 0 RECENT',
      'IMAP Response: a2 OK done',
      'IMAP Response: * 3 EXISTS',
      'TCP 50000 → 143 [PSH, ACK] Seq=22 Ack=159 Win=65535 Len=6 [TCP segment of a reassembled PDU]',
      'IMAP Request: a3 LOGOUT',
      'IMAP Request: a4 UID FETCH 1 BODY[]',
      'TCP 143 → 50000 [PSH, ACK] Seq=159 Ack=56 Win=65535 Len=36 [TCP segment of a reassembled PDU]',
      'IMAP/IMF subject: x, , body body body  ',
      'IMAP Response: a5 OK',
      'IMAP Request: a6 LOGIN bob x[Malformed Packet]',
      'IMAP Request: caf\uFFFD\\001 x',
      'IMAP Request: a9 STARTTLS',
      'IMAP Response: a9 OK go',
      'TLSv1 Client Hello',
      'TLSv1 Client Hello',
      'TCP 143 → 50002 [PSH, ACK] Seq=1 Ack=1 Win=65535 Len=11 [TCP segment of a reassembled PDU]',
      'TCP 143 → 50002 [PSH, ACK] Seq=12 Ack=1 Win=65535 Len=7 [TCP segment of a reassembled PDU]',
    ]);
  });
});
