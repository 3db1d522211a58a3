import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ByteBudget } from '../../src/monitor/protocols/byteBudget.js';
import { CLIENT_HELLO, conversationLogs, type Step, summaries } from './helpers/conversations.js';
import { PopLogConversation, SmtpLogConversation } from './helpers/logConversations.js';

/**
 * SMTP in the packet log: hand-built mail sessions on ports 25 and 587, compared line by line
 * with tshark 4.0 where it is installed; the Info texts asserted below were read off tshark's
 * output for the same packets, so they hold on a machine without it too.
 */
const { tshark, log } = conversationLogs();

describe(`SMTP and the mail it carries, as tshark summarises them${tshark ? '' : ' (tshark not installed: Info texts only)'}`, () => {
  test('a session: greeting, multiline replies, pipelined commands, message data and the message as IMF', () => {
    const lines = log('smtp-session', [
      {
        port: 25,
        steps: [
          ['s', '220-mail.example.org ESMTP\r\n220 second line\r\n'],
          ['c', 'EHLO client.example\r\n'],
          ['s', '250-mail.example.org\r\n250-PIPELINING\r\n250 8BITMIME\r\n'],
          ['c', 'MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n'],
          ['s', '250 ok\r\n250 ok\r\n354 go\r\n'],
          ['c', 'From: "A B" <a@b>\r\nSubject: hello\r\n\r\nline1\r\n'],
          ['c', 'line2\r\n'],
          ['c', '.\r\n'],
          ['s', '250 queued\r\n'],
          ['c', 'QUIT\r\n'],
          ['s', '221 bye\r\n'],
        ],
      },
      {
        port: 587,
        steps: [
          ['s', '250-a\r\n250 b\r\n250 c\r\n'],
          ['s', '250-x\r\nfoo\r\n250-\r\n25\r\n250 y\r\n'],
          ['c', 'EHLO x\r\nXYZZY\r\n'],
          ['c', 'XYZZY\r\nEHLO x\r\n'],
          ['c', 'DATA\r\n'],
          ['c', '.\r\n'],
        ],
      },
    ]);
    assert.deepEqual(summaries(lines), [
      'SMTP S: 220-mail.example.org ESMTP | second line',
      'SMTP C: EHLO client.example',
      'SMTP S: 250-mail.example.org | PIPELINING | 8BITMIME',
      'SMTP C: MAIL FROM:<a@b> | RCPT TO:<c@d> | DATA',
      'SMTP S: 250 ok | 250 ok | 354 go',
      'SMTP C: DATA fragment, 44 bytes',
      'SMTP C: DATA fragment, 7 bytes',
      'SMTP/IMF from: "A B" <a@b>, subject: hello, , line1  , line2  ',
      'SMTP S: 250 queued',
      'SMTP C: QUIT',
      'SMTP S: 221 bye',
      'SMTP S: 250-a | b | 250 c',
      'SMTP S: 250-x |  |  |  | y',
      // A frame whose last line is no command is message data, wherever it comes.
      'SMTP C: DATA fragment, 15 bytes',
      'SMTP C: XYZZY | EHLO x',
      'SMTP C: DATA',
      // No end of message: tshark wants a CRLF-ended frame in data state before `.`.
      'SMTP C: DATA fragment, 3 bytes',
    ]);
  });

  test('AUTH LOGIN and PLAIN, STARTTLS into TLS, and a refused STARTTLS', () => {
    const lines = log('smtp-auth', [
      {
        port: 25,
        steps: [
          ['c', 'AUTH LOGIN\r\n'],
          ['s', '334 VXNlcm5hbWU6\r\n'],
          ['c', 'dXNlcg==\r\n'],
          ['s', '334 UGFzc3dvcmQ6\r\n'],
          ['c', 'cGFzcw==\r\n'],
          ['s', '235 2.7.0 ok\r\n'],
          ['c', 'AUTH LOGIN dXNlcg==\r\n'],
          ['s', '334 UGFzc3dvcmQ6\r\n'],
          ['c', 'cGFzcw==\r\n'],
          ['s', '535 no\r\n'],
          ['c', 'AUTH PLAIN\r\n'],
          ['s', '334 \r\n'],
          ['c', 'AGFiYwBwYXNz\r\n'],
          ['s', '235 ok\r\n'],
        ],
      },
      {
        port: 587,
        steps: [
          ['c', 'STARTTLS\r\n'],
          ['s', '454 not now\r\n'],
          ['c', 'STARTTLS\r\n'],
          ['s', '220 go ahead\r\n'],
          ['c', CLIENT_HELLO],
        ],
      },
    ]);
    assert.deepEqual(summaries(lines), [
      'SMTP C: AUTH LOGIN',
      'SMTP S: 334 VXNlcm5hbWU6',
      'SMTP C: User: dXNlcg==',
      'SMTP S: 334 UGFzc3dvcmQ6',
      'SMTP C: Pass: cGFzcw==',
      'SMTP S: 235 2.7.0 ok',
      'SMTP C: AUTH LOGIN User: dXNlcg==',
      'SMTP S: 334 UGFzc3dvcmQ6',
      'SMTP C: Pass: cGFzcw==',
      'SMTP S: 535 no',
      'SMTP C: AUTH PLAIN',
      'SMTP S: 334 ',
      'SMTP C: AGFiYwBwYXNz',
      'SMTP S: 235 ok',
      'SMTP C: STARTTLS',
      'SMTP S: 454 not now',
      'SMTP C: STARTTLS',
      'SMTP S: 220 go ahead',
      'TLSv1 Client Hello',
    ]);
  });

  test('lines cut across segments, LF-only lines, odd replies, control and non-ASCII bytes', () => {
    const lines = log('smtp-odd', [
      {
        port: 25,
        steps: [
          ['s', '22'],
          ['s', '0 split greeting\r\n'],
          ['c', 'HE'],
          ['c', 'LO x\r\nMAIL'],
          ['c', ' FROM:<a@b>\r\n'],
          ['s', 'hello\r\n'],
          ['s', '250\r\n'],
          ['s', '2500\r\n'],
          ['s', '250 caf\xe9 \x01\ttab\x7f\r\n'],
          ['c', 'EHLO caf\xe9\x00\r\n'],
        ],
      },
      {
        port: 25,
        steps: [
          ['c', 'EHLO x\n'],
          ['s', '250 ok\n250-a\n250 b\n'],
          ['c', 'DATA\n'],
          ['c', 'Subject: lf\n\nbody\n.\n'],
          ['c', '\r\n.\r\n'],
          ['c', 'DATA\r\n'],
          ['c', 'line\r\n'],
          ['c', '.'],
          ['c', '\r\n'],
        ],
      },
    ]);
    const shown = summaries(lines);
    assert.deepEqual(shown.slice(0, 10), [
      'TCP 25 → 50000 [PSH, ACK] Seq=1 Ack=1 Win=65535 Len=2 [TCP segment of a reassembled PDU]',
      'SMTP S: 220 split greeting',
      'TCP 50000 → 25 [PSH, ACK] Seq=1 Ack=21 Win=65535 Len=2 [TCP segment of a reassembled PDU]',
      'SMTP C: HELO x | MAIL',
      'SMTP C: DATA fragment, 13 bytes',
      'SMTP S: ',
      'SMTP S: 250',
      'SMTP S: 2500',
      'SMTP S: 250 caf\uFFFD \\001\\ttab\\177',
      'SMTP C: EHLO caf\uFFFD\\000',
    ]);
    assert.deepEqual(shown.slice(10), [
      'SMTP C: EHLO x',
      'SMTP S: 250 ok | 250-a | b',
      'SMTP C: DATA',
      // A message ends only at CRLF . CRLF; tshark's IMF finds no CR and shows every line.
      'SMTP C: DATA fragment, 20 bytes',
      'SMTP/IMF Subject: lf ,  , body , . ',
      'SMTP C: DATA',
      'SMTP C: DATA fragment, 6 bytes',
      'TCP 50001 → 25 [PSH, ACK] Seq=50 Ack=20 Win=65535 Len=1 [TCP segment of a reassembled PDU]',
      'SMTP/IMF line  ',
    ]);
  });

  test('messages: the header fields tshark names, content types, multipart, base64, and the column limit', () => {
    const data = (message: string): Step[] => [
      ['c', 'DATA\r\n'],
      ['c', `${message}.\r\n`],
    ];
    const long = `${'0123456789'.repeat(8)}\r\n`.repeat(60);
    const lines = log('smtp-imf', [
      {
        port: 25,
        steps: [
          ...data(
            'From: a@b\r\nTo: c@d\r\nCc: e@f\r\nSubject: =?UTF-8?B?aMOpbGxv?= caf\xc3\xa9 caf\xe9\r\nDate: Mon, 1 Jan 2024\r\nContent-Type: text/html\r\n\r\nbody\twith tab\r\n..dot\r\n',
          ),
          ...data('Subject: folded\r\n  more\r\n\r\nx\r\n'),
          ...data('Content-Type: TEXT/PLAIN; charset=us-ascii\r\n\r\nbody\r\n'),
          ...data('Subject: j\r\nContent-Type: application/json; x=1\r\n\r\n{}\r\n'),
          ...data('Content-Type: image/png; name=a.png\r\n\r\nAAAA\r\n'),
          ...data(
            'Subject: alt\r\nContent-Type: multipart/alternative; boundary="B"\r\n\r\n--B\r\n\r\nuntyped\r\n--B\r\nContent-Type: Text/Plain; charset=utf-8\r\n\r\nplain\r\n--B\r\nContent-Type: application/pdf\r\n\r\nxx\r\n--B--\r\n',
          ),
          ...data(
            'Subject: b64\r\nContent-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8=\r\n',
          ),
          ...data('Subject: inner\r\nContent-Type: message/rfc822; x=1\r\n\r\nFrom: x@y\r\n\r\nb\r\n'),
          ...data('EHLO x\r\nno header\r\n'),
          ['c', 'DATA\r\n'],
          ['c', 'From: a@b\r\nSubject: long\r\n\r\n'],
          ['c', long],
          ['c', '.\r\n'],
        ],
      },
    ]);
    const imf = summaries(lines).filter((l) => l.startsWith('SMTP/'));
    assert.deepEqual(imf.slice(0, 9), [
      'SMTP/IMF from: a@b, subject: =?UTF-8?B?aMOpbGxv?= café caf\uFFFD, , body with tab  , ..dot  ',
      'SMTP/IMF subject: folded\\r\\n  more, , x  ',
      'SMTP/IMF (TEXT/PLAIN)',
      'SMTP/IMF/JSON subject: j, , JavaScript Object Notation (application/json)',
      'SMTP/IMF ',
      'SMTP/IMF subject: alt,  (text/plain) (application/pdf)',
      'SMTP/IMF subject: b64,  (text/plain)',
      'SMTP/IMF/IMF subject: inner, from: x@y, , b  ',
      'SMTP/IMF EHLO x  , no header  ',
    ]);
    // Every body line goes to Info, which tshark cuts at 4095 bytes.
    const last = imf[9] ?? '';
    assert.ok(last.startsWith('SMTP/IMF from: a@b, subject: long, , 0123456789'));
    assert.equal(Buffer.byteLength(last) - 'SMTP/IMF '.length, 4095);
  });
});

describe('message data kept for the IMF summary is bounded', () => {
  test('conversations share one budget for kept message data, and give it back at the end of a message', () => {
    const budget = new ByteBudget(100);
    const first = new SmtpLogConversation(budget);
    const second = new SmtpLogConversation(budget);
    const send = (c: SmtpLogConversation, text: string) => c.onSegment(0, Buffer.from(text, 'latin1'), true);
    send(first, 'DATA\r\n');
    send(second, 'DATA\r\n');
    send(first, `Subject: first\r\n\r\n${'a'.repeat(80)}\r\n`);
    // 100 bytes in all: the first message took them all, so the second keeps nothing (and shows as tshark
    // shows an empty message).
    send(second, `Subject: second\r\n\r\n${'b'.repeat(80)}\r\n`);
    assert.deepEqual(send(second, '.\r\n'), { kind: 'message', protocol: 'SMTP', info: 'C: .' });
    const ended = send(first, '.\r\n');
    assert.equal(ended?.kind === 'message' && ended.info, `subject: first, , ${'a'.repeat(80)}  `);
    // Given back: the second conversation's next message is kept whole.
    send(second, 'DATA\r\n');
    send(second, 'Subject: again\r\n\r\nb\r\n');
    assert.deepEqual(send(second, '.\r\n'), { kind: 'message', protocol: 'SMTP/IMF', info: 'subject: again, , b  ' });
  });

  test('POP3 draws on the same budget, and gives back what it kept when the message ends', () => {
    const budget = new ByteBudget(8);
    const pop = new PopLogConversation(budget);
    pop.onSegment(Buffer.from('RETR 1\r\n'), true);
    pop.onSegment(Buffer.from('+OK 20 octets\r\n'), false);
    assert.deepEqual(pop.onSegment(Buffer.from('0123456789\r\n'), false), {
      protocol: 'POP',
      info: 'S: DATA fragment, 12 bytes',
    });
    // Only 8 of the 20 bytes were kept: the message shows what it could keep.
    assert.deepEqual(pop.onSegment(Buffer.from('abcdef\r\n'), false), { protocol: 'POP/IMF', info: '01234567' });
    assert.equal(budget.take(8), 8, 'all given back');
  });
});
