import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Duplex } from 'node:stream';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import type { Match } from '../../src/detect/types.js';
import type { SecurityEvent } from '../../src/events/securityEvent.js';
import { IRC_MAX_LINE, IrcDialogue } from '../../src/honeypot/ircDialogue.js';
import { LineReader } from '../../src/honeypot/lineReader.js';
import type { PlayAlong } from '../../src/honeypot/playAlong.js';
import { Quarantine } from '../../src/honeypot/quarantine.js';
import { newSessionFacts } from '../../src/honeypot/sessionEvents.js';
import { DEFAULT_SMTP_LIMITS, SmtpDialogue } from '../../src/honeypot/smtpDialogue.js';
import { SourceBudget } from '../../src/honeypot/sourceBudget.js';
import { smtpSpeaker } from '../../src/honeypot/speakers.js';
import { TunnelSession } from '../../src/honeypot/tunnelSession.js';
import { tempDir, waitFor } from '../gateway/helpers.js';

/** Streams an abuser might send: SMTP and IRC words, path tricks, control bytes, no line ends at all. */
const token = fc.oneof(
  fc.constantFrom(
    'EHLO x\r\n',
    'HELO ../../etc\r\n',
    'MAIL FROM:<../../../etc/passwd>\r\n',
    'MAIL FROM:<a@b>\r\n',
    'RCPT TO:<root@localhost>\r\n',
    'RCPT TO:</tmp/x>\r\n',
    'DATA\r\n',
    'Subject: =?utf-8?B?Li4vLi4v?=\r\n',
    '.\r\n',
    '..\r\n',
    'AUTH LOGIN\r\n',
    'AUTH PLAIN AGEAYg==\r\n',
    '*\r\n',
    'RSET\r\n',
    'NICK n\r\nUSER u 0 * :r\r\n',
    'JOIN #a,#b,&c\r\n',
    'PRIVMSG #a :x\r\n',
    '\r\n',
    '\n',
    '\r',
    '\0',
    'QUIT\r\n',
  ),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.nat({ max: 20_000 }).map((n) => 'A'.repeat(n)),
);
const stream = fc.array(token, { maxLength: 60 }).map((parts) => Buffer.from(parts.join(''), 'latin1'));
/** The same bytes cut into arbitrary chunks, as TCP may deliver them. */
const chunked = fc.tuple(stream, fc.array(fc.nat({ max: 4096 }), { maxLength: 20 })).map(([bytes, cuts]) => {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const c of [...at, bytes.length]) {
    out.push(bytes.subarray(from, c));
    from = c;
  }
  return out;
});

describe('hostile input', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('the line reader holds at most its bound of an unfinished line', () => {
    fc.assert(
      fc.property(chunked, (chunks) => {
        const r = new LineReader(100);
        for (const c of chunks) {
          for (const line of r.push(c)) assert.ok(line.text.length <= 100);
          assert.ok(r.held <= 101);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('the SMTP dialogue answers every line within its bounds and never throws', () => {
    const limits = { ...DEFAULT_SMTP_LIMITS, maxMessageBytes: 2000, maxCommands: 50 };
    fc.assert(
      fc.property(chunked, (chunks) => {
        const d = new SmtpDialogue('mx.example', limits);
        const r = new LineReader(8192);
        let replies = 0;
        let lines = 0;
        for (const c of chunks)
          for (const line of r.push(c))
            for (const step of d.step(line)) {
              lines++;
              if (step.kind === 'reply') {
                replies++;
                assert.ok(step.text.length < 400);
                assert.match(step.text, /^[2-5]\d\d[ -]/);
              }
              if (step.kind === 'message') assert.ok(step.message.data.length <= 2000 + 2);
            }
        assert.ok(replies <= lines && replies <= 52);
      }),
      { numRuns: 300 },
    );
  });

  it('the IRC dialogue keeps what it records bounded and never throws', () => {
    fc.assert(
      fc.property(chunked, (chunks) => {
        const d = new IrcDialogue('irc.example', '192.0.2.1', { maxCommands: 40, maxChannels: 3, maxMessages: 2 });
        const r = new LineReader(IRC_MAX_LINE);
        for (const c of chunks) for (const line of r.push(c)) d.step(line);
        assert.ok(d.facts.channels.length <= 3 && d.facts.messages.length <= 2);
        assert.ok((d.facts.nick ?? '').length <= 30);
        for (const m of d.facts.messages) assert.ok(m.text.length <= 400);
      }),
      { numRuns: 300 },
    );
  });

  it('a whole SMTP session writes only generated names inside the quarantine, within its bounds', async () => {
    const dir = join(tmp.dir, 'q');
    const quarantine = Quarantine.open({ dir, maxMessageBytes: 1000, maxTotalBytes: 200_000, retentionMs: 86_400_000 });
    const budget = new SourceBudget({
      sessions: 1_000_000,
      bytes: 1e12,
      concurrent: 1,
      windowMs: 1000,
      maxSessions: 1,
      sessionBytes: 50_000,
    });
    // Half the runs open a transaction first, so that hostile data does reach the quarantine.
    const opening = Buffer.from('EHLO ../x\r\nMAIL FROM:<../../a>\r\nRCPT TO:<../../../b>\r\nDATA\r\n', 'latin1');
    await fc.assert(
      fc.asyncProperty(chunked, fc.boolean(), async (tail, open) => {
        const chunks = open ? [opening, ...tail, Buffer.from('\r\n.\r\n')] : tail;
        const total = chunks.reduce((n, c) => n + c.length, 0);
        const events: SecurityEvent[] = [];
        const socket = new Duplex({ read() {}, write: (_c, _e, cb) => cb() });
        const facts = newSessionFacts(SMTP_PLAY, { ip: '192.0.2.9', port: 1 }, { ip: '127.0.0.1', port: 8000 }, 0);
        const speaker = smtpSpeaker(
          facts,
          { ...DEFAULT_SMTP_LIMITS, maxMessageBytes: 1000, maxCommands: 100 },
          {
            quarantine,
            emit: (e) => events.push(e),
            threatName: () => undefined,
            clock: Date.now,
          },
        );
        const allowance = budget.start('192.0.2.9');
        assert.ok(allowance);
        let ended = false;
        const session = new TunnelSession(socket, facts, speaker, {
          allowance,
          limits: { idleMs: 60_000, lifetimeMs: 60_000 },
          emit: (e) => events.push(e),
          threatName: () => undefined,
          clock: Date.now,
          ended: () => {
            ended = true;
          },
        });
        session.start(Buffer.alloc(0));
        for (const c of chunks) socket.push(c);
        // Every line answered (or the session over) before it is closed from our side.
        await waitFor('lines answered', () =>
          ended || (facts.bytesIn === total && !socket.isPaused()) ? true : undefined,
        );
        session.end('closed');
        await waitFor('the session event', () => (events.some((e) => e.bansho.honeypot?.end) ? true : undefined));
        assert.ok(facts.bytesIn <= 50_000 + 64 * 1024);
      }),
      { numRuns: 60 },
    );
    await quarantine.close();
    assert.ok(readdirSync(dir).length > 0, 'no message reached the quarantine: the property tested nothing');
    for (const name of readdirSync(tmp.dir, { recursive: true }) as string[]) {
      const path = relative(tmp.dir, join(tmp.dir, name));
      assert.ok(path === 'q' || /^q\/[0-9A-F]{12}\.eml$/.test(path), `written outside the quarantine: ${path}`);
    }
    assert.ok(quarantine.totalBytes <= 200_000);
  });
});

const REASON: Match = {
  family: 'rule',
  ruleId: 'proxy-connect-mail-port',
  ruleName: 'CONNECT to a mail port',
  threatId: 'mail-relay-attempt',
  severity: 'critical',
  score: 20,
  action: 'ban',
  field: 'authority.port',
  value: '25',
  tags: ['proxy-abuse'],
};

const SMTP_PLAY: PlayAlong = {
  kind: 'tunnel',
  service: 'smtp',
  requested: 'mx.example:25',
  host: 'mx.example',
  port: 25,
  serverName: 'mx.example',
  reason: REASON,
};
