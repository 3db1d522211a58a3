import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Conversation, conversationLogs, summaries } from './helpers/conversations.js';

/**
 * What an open proxy's CONNECT tunnels carry, in the packet log — the seed's `CONNECT
 * maila.microsoft.com:25`, had the proxy let it through. tshark 4.0 hands a tunnel to the
 * dissector of the port the CONNECT named, with the roles reversed; compared line by line with
 * tshark where it is installed.
 */
const { tshark, log } = conversationLogs();

const tunnel = (port: number, target: string, steps: Conversation['steps']): Conversation => ({
  port,
  steps: [['c', `CONNECT ${target} HTTP/1.0\r\n\r\n`], ['s', 'HTTP/1.0 200 Connection established\r\n\r\n'], ...steps],
});

describe(`CONNECT tunnels as tshark shows them${tshark ? '' : ' (tshark not installed: Info texts only)'}`, () => {
  test('a tunnel to a mail, FTP, SSH or Telnet port is that protocol (roles reversed); others stay TCP', () => {
    const lines = log('tunnels', [
      tunnel(8080, 'maila.microsoft.com:25', [
        ['s', '220 mail ESMTP\r\n'],
        ['c', 'HELO x\r\n'],
        ['s', '250 ok\r\n'],
        ['c', 'MAIL FROM:<a@b>\r\n'],
      ]),
      tunnel(80, 'ftp.example.net:21', [
        ['s', '220 ftp\r\n'],
        ['c', 'USER anonymous\r\n'],
      ]),
      tunnel(3128, 'h:22', [
        ['s', 'SSH-2.0-OpenSSH_9.6\r\n'],
        ['c', 'SSH-2.0-x\r\n'],
      ]),
      tunnel(8080, 'h:23', [
        ['s', 'login: '],
        ['c', 'root\r\n'],
      ]),
      tunnel(8080, 'h:143', [
        ['s', '* OK ready now\r\n'],
        ['c', 'a1 LOGIN x yy\r\n'],
      ]),
      tunnel(8080, 'h:110', [
        ['s', '+OK hi\r\n'],
        ['c', 'USER bob\r\n'],
      ]),
      // Behind a proxy on port 80, POP's port is the higher one: HTTP's is tried first, and declines.
      tunnel(80, 'h:110', [['s', '+OK hi\r\n']]),
      tunnel(8080, 'h:12345', [
        ['s', 'hello there\r\n'],
        ['c', 'client words\r\n'],
      ]),
      tunnel(8080, 'h:80', [['c', 'GET / HTTP/1.1\r\nHost: h\r\n\r\n']]),
      tunnel(8080, 'h', [['c', 'EHLO y\r\n']]),
    ]);
    const shown = summaries(lines).filter((l) => !l.startsWith('HTTP '));
    assert.deepEqual(shown, [
      // The far server's greeting, relayed by the proxy, is taken for the client's words.
      'SMTP C: DATA fragment, 16 bytes',
      'SMTP S: ',
      'SMTP C: DATA fragment, 8 bytes',
      'SMTP S: ',
      'FTP Request: 220 ftp',
      'FTP Response: USER anonymous',
      'SSH Client: Protocol (SSH-2.0-OpenSSH_9.6)',
      'SSHv2 Server: Protocol (SSH-2.0-x)',
      'TELNET Telnet Data ...',
      'TELNET Telnet Data ...',
      'IMAP Request: * OK ready now',
      'IMAP Response: a1 LOGIN x yy',
      'POP C: +OK hi',
      // Taken for the server's, a line that is no +OK or -ERR reply is a message.
      'POP/IMF USER bob  ',
      'TCP 80 → 50006 [PSH, ACK] Seq=40 Ack=27 Win=65535 Len=8',
      'TCP 8080 → 50007 [PSH, ACK] Seq=40 Ack=29 Win=65535 Len=13',
      'TCP 50007 → 8080 [PSH, ACK] Seq=29 Ack=53 Win=65535 Len=14',
      'TCP 50008 → 8080 [PSH, ACK] Seq=26 Ack=40 Win=65535 Len=27',
      'TCP 50009 → 8080 [PSH, ACK] Seq=23 Ack=40 Win=65535 Len=8',
    ]);
  });
});
