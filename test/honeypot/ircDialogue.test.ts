import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IrcDialogue, parseMessage } from '../../src/honeypot/ircDialogue.js';

function say(d: IrcDialogue, ...lines: string[]): string {
  let out = '';
  for (const text of lines) for (const s of d.step({ text, cut: false })) if (s.kind === 'reply') out += s.text;
  return out;
}

/** PrettyPark's channel name begins with these bytes (IRCnet's ircd kills clients that JOIN it). */
const PRETTYPARK_CHANNEL = '#\x1f\x02\xb6\x034ch\x02\x1f';

describe('IRC dialogue', () => {
  it('registers, welcomes, and records NICK, USER, JOIN, PRIVMSG; answers PING', () => {
    const d = new IrcDialogue('irc.stealth.net', '198.51.100.7');
    assert.match(d.greeting(), /^:irc\.stealth\.net NOTICE AUTH :\*\*\* Looking up your hostname\r\n/);
    const welcome = say(d, 'NICK pp1234', 'USER pp 0 * :Pretty Park');
    assert.match(
      welcome,
      /^:irc\.stealth\.net 001 pp1234 :Welcome to the Internet Relay Network pp1234!pp@198\.51\.100\.7\r\n/,
    );
    assert.match(welcome, / 376 pp1234 :End of \/MOTD command\.\r\n$/);
    const joined = say(d, `JOIN ${PRETTYPARK_CHANNEL} key`, 'PRIVMSG #c :uin=12345 pass=dun', 'PING :123');
    assert.ok(joined.startsWith(`:pp1234!pp@198.51.100.7 JOIN :${PRETTYPARK_CHANNEL}\r\n`));
    assert.match(joined, /:irc\.stealth\.net PONG irc\.stealth\.net :123\r\n$/);
    assert.deepEqual(d.facts, {
      nick: 'pp1234',
      user: 'pp',
      realname: 'Pretty Park',
      channels: [PRETTYPARK_CHANNEL],
      messages: [{ target: '#c', text: 'uin=12345 pass=dun' }],
    });
    assert.match(say(d, 'QUIT :bye'), /^ERROR :Closing Link: pp1234\[198\.51\.100\.7\] \(Quit: bye\)\r\n$/);
    assert.equal(d.closed, true);
  });

  it('asks to register before anything else, and refuses unknown commands after', () => {
    const d = new IrcDialogue('irc.example', '192.0.2.1');
    assert.equal(say(d, 'JOIN #x'), ':irc.example 451 JOIN :You have not registered\r\n');
    say(d, 'USER a b c :d', 'NICK n');
    assert.equal(say(d, 'FROB'), ':irc.example 421 n FROB :Unknown command\r\n');
    assert.equal(say(d, 'JOIN x'), ':irc.example 403 n x :No such channel\r\n');
  });

  it('bounds channels, messages and commands, and flattens CR it would echo', () => {
    const d = new IrcDialogue('irc.example', '192.0.2.1', { maxCommands: 30, maxChannels: 3, maxMessages: 2 });
    say(d, 'NICK n', 'USER u 0 * :r', `JOIN ${Array.from({ length: 10 }, (_, i) => `#c${i}`).join(',')}`);
    say(d, 'PRIVMSG a :1', 'PRIVMSG b :2', 'PRIVMSG c :3');
    assert.deepEqual(d.facts.channels, ['#c0', '#c1', '#c2']);
    assert.equal(d.facts.messages.length, 2);
    const echoed = say(d, 'JOIN #a\rINJECTED');
    assert.doesNotMatch(echoed.replace(/\r\n/g, ''), /\r/);
    let out = '';
    for (let i = 0; i < 40; i++) out += say(d, 'MODE n');
    assert.match(out, /ERROR :Closing Link: n\[192\.0\.2\.1\] \(Excess Flood\)\r\n$/);
  });

  it('parses prefixes, parameters and the trailing parameter', () => {
    assert.deepEqual(parseMessage(':nick!u@h PRIVMSG #chan :hello  world'), {
      command: 'PRIVMSG',
      params: ['#chan', 'hello  world'],
    });
    assert.deepEqual(parseMessage('   '), { command: '', params: [] });
  });
});
