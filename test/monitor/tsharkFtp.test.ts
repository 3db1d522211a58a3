import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CLIENT_HELLO, conversationLogs, summaries } from './helpers/conversations.js';

/**
 * FTP in the packet log: control connections on port 21 and the data connections they
 * announce, compared line by line with tshark 4.0 where it is installed; the Info texts asserted
 * below were read off tshark's output for the same packets.
 */
const { tshark, log } = conversationLogs();

describe(`FTP as tshark summarises it${tshark ? '' : ' (tshark not installed: Info texts only)'}`, () => {
  test('a control connection shows the first line of each segment, whatever it holds', () => {
    const lines = log('ftp-control', [
      {
        port: 21,
        steps: [
          ['s', '220-Welcome\r\n220 (vsFTPd 3.0.3)\r\n'],
          ['c', 'USER anonymous\r\nPASS x\r\n'],
          ['s', '530 Login incorrect.\r\n'],
          ['c', 'US'],
          ['c', 'ER z\r\n'],
          ['c', 'user caf\xe9\x01\r\n'],
          ['c', '\r\n'],
          ['s', 'hello\r\n'],
          ['c', 'AUTH TLS\r\n'],
          ['s', '234 Proceed with negotiation.\r\n'],
          ['c', CLIENT_HELLO],
        ],
      },
    ]);
    assert.deepEqual(summaries(lines), [
      'FTP Response: 220-Welcome',
      'FTP Request: USER anonymous',
      'FTP Response: 530 Login incorrect.',
      // No line reassembly in FTP: each segment's own first line.
      'FTP Request: US',
      'FTP Request: ER z',
      'FTP Request: user caf\uFFFD\\001',
      'FTP Request: ',
      'FTP Response: hello',
      'FTP Request: AUTH TLS',
      'FTP Response: 234 Proceed with negotiation.',
      'TLSv1 Client Hello',
    ]);
  });

  test('data connections announced by PASV, EPSV, PORT and EPRT, named by setup and first command', () => {
    const lines = log('ftp-data', [
      {
        port: 21,
        steps: [
          ['c', 'PASV\r\n'],
          ['s', '227 Entering Passive Mode (192,168,7,80,234,96).\r\n'],
          ['c', 'TYPE I\r\n'],
          ['c', 'RETR x\r\n'],
          ['c', 'EPSV\r\n'],
          ['s', '229 Entering Extended Passive Mode (|||60001|)\r\n'],
          ['c', 'RETR a.txt\r\n'],
          // A reply naming another address (a server behind NAT): nothing arrives there.
          ['c', 'PASV\r\n'],
          ['s', '227 Entering Passive Mode (10,0,0,5,234,98).\r\n'],
          ['c', 'PORT 192,168,7,10,234,99\r\n'],
          ['s', '200 PORT command successful.\r\n'],
          ['c', 'LIST -la\r\n'],
          ['c', 'EPRT |1|192.168.7.10|60004|\r\n'],
          ['s', '200 EPRT command successful.\r\n'],
          ['c', 'MLSD\r\n'],
          // On a port with a dissector of its own, the announcement wins.
          ['c', 'PASV\r\n'],
          ['s', '227 =192,168,7,80,0,80\r\n'],
        ],
      },
      { port: 60000, steps: [['s', '-rw-r--r-- 1 0 0 5 Jan 1 a.txt\r\n']] },
      { port: 60001, steps: [['s', 'x']] },
      { port: 60002, steps: [['s', 'not announced']] },
      { port: 60003, openedByServer: true, steps: [['c', 'listing']] },
      { port: 60004, openedByServer: true, steps: [['c', 'mlsd']] },
      {
        port: 80,
        steps: [
          ['c', 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'],
          ['s', 'data'],
        ],
      },
    ]);
    assert.deepEqual(summaries(lines).slice(17), [
      'FTP-DATA FTP Data: 32 bytes (PASV) (TYPE I)',
      'FTP-DATA FTP Data: 1 bytes (EPASV) (RETR a.txt)',
      'TCP 60002 → 50003 [PSH, ACK] Seq=1 Ack=1 Win=65535 Len=13',
      'FTP-DATA FTP Data: 7 bytes (PORT) (LIST -la)',
      // tshark 4.0 keeps no setup for EPRT.
      'FTP-DATA FTP Data: 4 bytes',
      'FTP-DATA FTP Data: 27 bytes (PASV)',
      'FTP-DATA FTP Data: 4 bytes (PASV)',
    ]);
  });
});
