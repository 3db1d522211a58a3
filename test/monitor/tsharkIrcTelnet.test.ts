import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { conversationLogs, summaries } from './helpers/conversations.js';

/**
 * IRC and Telnet in the packet log — a bot on a compromised site calling home, a Mirai-style
 * login run — compared line by line with tshark 4.0 where it is installed; the Info texts
 * asserted below were read off tshark's output for the same packets.
 */
const { tshark, log } = conversationLogs();

describe(`IRC and Telnet as tshark summarises them${tshark ? '' : ' (tshark not installed: Info texts only)'}`, () => {
  test("each line's command after its prefix, in parentheses; lines without one add nothing", () => {
    const lines = log('irc', [
      {
        port: 6667,
        steps: [
          ['c', 'NICK x\r\nUSER x 0 * :real name\r\n'],
          ['s', ':irc.example.net 001 x :Welcome\r\n:irc.example.net 002 x :Your host\r\n'],
          ['s', 'PING :irc.example.net\r\n'],
          ['c', 'PRIVMSG #chan :\x01ACTION waves\x01\r\n'],
          ['c', '\r\n'],
          ['c', 'partial'],
          ['c', ' line\r\n'],
          ['s', ':only.prefix\r\n'],
          ['s', ':p    CMD  x\r\n:p\r\nx\ry\nz'],
          ['c', 'caf\xe9\x01 x\r\n'],
        ],
      },
    ]);
    assert.deepEqual(summaries(lines), [
      'IRC Request (NICK) (USER)',
      'IRC Response (001) (002)',
      'IRC Response (PING)',
      'IRC Request (PRIVMSG)',
      'IRC Request',
      'IRC Request (partial)',
      'IRC Request (line)',
      'IRC Response',
      'IRC Response (CMD) (x) (y) (z)',
      // IRC's dissector leaves control characters as they are.
      'IRC Request (caf\uFFFD\x01)',
    ]);
  });

  test('every Telnet segment with data is `Telnet Data ...`, option negotiation or text', () => {
    const lines = log('telnet', [
      {
        port: 23,
        steps: [
          ['s', '\xff\xfd\x18\xff\xfd\x20\xff\xfb\x01'],
          ['c', '\xff\xfc\x18\xff\xfe\x01'],
          ['s', '\r\nlogin: '],
          ['c', 'root\r\n'],
          ['c', 'enable\r\nsystem\r\nshell\r\nsh\r\n/bin/busybox MIRAI\r\n'],
        ],
      },
    ]);
    assert.deepEqual(summaries(lines), Array(5).fill('TELNET Telnet Data ...'));
  });
});
