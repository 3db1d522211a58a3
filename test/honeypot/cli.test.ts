import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { SessionView } from '../../src/honeypot/sessionView.js';
import { bansho, listeningPort, startBansho } from '../cli/run.js';
import { tempDir, waitFor } from '../gateway/helpers.js';
import { RawClient } from './helpers.js';

/**
 * `bansho serve` with a config file's honeypot section, abused twice (a spam run, an IRC bot), then
 * `bansho honeypot list` and `show` on what it stored.
 */
describe('bansho honeypot list and show', () => {
  const tmp = tempDir();
  const db = `${tmp.dir}/bansho.db`;

  before(async () => {
    const config = `${tmp.dir}/bansho.yaml`;
    writeFileSync(
      config,
      `upstream: http://127.0.0.1:9\nlisten: 127.0.0.1:0\ndb: ${db}\nhoneypot:\n  enabled: true\n  for: [mail-relay-attempt, irc-relay-attempt, prettypak]\n  quarantine: { dir: ${tmp.dir}/quarantine, max_message: 64KiB }\n  session: { idle: 5s }\n`,
    );
    const serve = startBansho(['serve', '--workers', '1', '--config', config]);
    const port = await waitFor('bansho serve to listen', () => listeningPort(serve.output.stderr), 15_000);

    const spam = await RawClient.open(port, '127.0.0.51');
    spam.send('CONNECT mx.opfer.example:25 HTTP/1.1\r\n\r\n');
    await spam.read(/220 .*\r\n$/);
    for (const [line, reply] of [
      ['EHLO spammer', /\n250 8BITMIME\r\n$/],
      ['MAIL FROM:<boss@spam.example>', /^250 /],
      ['RCPT TO:<a@opfer.example>', /^250 /],
      ['RCPT TO:<b@opfer.example>', /^250 /],
      ['DATA', /^354 /],
      ['Subject: Sonderangebot \x1b[31mROT\x1b[0m\r\n\r\nText\r\n.', /^250 /],
      ['QUIT', /^221 /],
    ] as const)
      await spam.ask(line, reply);
    await spam.closed;

    const bot = await RawClient.open(port, '127.0.0.52');
    bot.send('CONNECT irc.example.net:6667 HTTP/1.0\r\n\r\n');
    await bot.read(/hostname\r\n$/);
    bot.send('NICK drone7\r\nUSER d 0 * :d\r\nJOIN #\x1f\x02\xb6\x034ch\r\n');
    await bot.read(/366 /);
    await bot.ask('QUIT', /ERROR/);

    serve.child.kill('SIGTERM');
    assert.equal(await serve.exited, 0, serve.output.stderr);
    assert.match(
      serve.output.stderr,
      /bansho: honeypot on for mail-relay-attempt, irc-relay-attempt, prettypak \(quarantine .*\); it never connects anywhere; honeypot\.for names no threat or rule: prettypak\n/,
    );
  });
  after(() => tmp.cleanup());

  it('lists the sessions: source, threat, what was asked for, envelope and subject, nick and channel', async () => {
    const r = await bansho(['honeypot', 'list', '--db', db]);
    assert.equal(r.code, 0, r.stderr);
    const [header, ...rows] = r.stdout.trimEnd().split('\n');
    assert.match(header ?? '', /^ID\s+START\s+SOURCE\s+THREAT\s+SERVICE\s+ASKED FOR\s+WHAT$/);
    assert.equal(rows.length, 2);
    assert.match(
      rows[0] ?? '',
      /127\.0\.0\.51\s+mail-relay-attempt\s+smtp\s+mx\.opfer\.example:25\s+boss@spam\.example -> a@opfer\.example, b@opfer\.example "Sonderangebot \\x1b\[31mROT\\x1b\[0m"/,
    );
    assert.match(
      rows[1] ?? '',
      /127\.0\.0\.52\s+irc-relay-attempt\s+irc\s+irc\.example\.net:6667\s+nick drone7 #\\x1f\\x02¶\\x034ch$/,
    );
    assert.ok(!r.stdout.includes('\x1b'), 'no escape sequence of the abuser reaches the terminal');
  });

  it('lists as JSON, one session a line, and by source', async () => {
    const r = await bansho(['honeypot', 'list', '--db', db, '--json', '--source', '127.0.0.52']);
    const sessions = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as SessionView);
    assert.equal(sessions.length, 1);
    assert.equal(sessions[0]?.irc?.nick, 'drone7');
    assert.deepEqual(sessions[0]?.irc?.channels, ['#\x1f\x02¶\x034ch']);
    assert.equal(sessions[0]?.end, 'quit');
  });

  it('shows one session by the start of its id, with its quarantined message', async () => {
    const list = await bansho(['honeypot', 'list', '--db', db, '--json', '--source', '127.0.0.51']);
    const id = (JSON.parse(list.stdout) as SessionView).id;
    const r = await bansho(['honeypot', 'show', id.slice(0, 8), '--db', db, '--message']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^session      ${id}\n`));
    assert.match(r.stdout, /^threat {7}Mail relay through an HTTP proxy \(mail-relay-attempt\)$/m);
    assert.match(r.stdout, /^HELO {9}spammer$/m);
    assert.match(
      r.stdout,
      /^message 1 \(queued as [0-9A-F]{12}, never delivered\)\n {2}from {7}boss@spam\.example\n {2}to {9}a@opfer\.example, b@opfer\.example\n/m,
    );
    assert.match(r.stdout, /^--- .*quarantine\/[0-9A-F]{12}\.eml\nReturn-Path: <boss@spam\.example>$/m);
    assert.match(r.stdout, /^Subject: Sonderangebot \\x1b\[31mROT\\x1b\[0m$/m);
    assert.ok(!r.stdout.includes('\x1b'));
    const missing = await bansho(['honeypot', 'show', 'ffffffff', '--db', db]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /no honeypot session ffffffff/);
  });
});
