import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_SMTP_LIMITS, SmtpDialogue, type SmtpLimits, type SmtpStep } from '../../src/honeypot/smtpDialogue.js';

/** Feed lines, collect the replies' first lines and the other steps. */
function run(lines: readonly string[], limits: Partial<SmtpLimits> = {}): { replies: string[]; steps: SmtpStep[] } {
  const d = new SmtpDialogue('mx.example.de', { ...DEFAULT_SMTP_LIMITS, ...limits });
  const replies: string[] = [];
  const steps: SmtpStep[] = [];
  for (const text of lines)
    for (const step of d.step({ text, cut: false })) {
      if (step.kind === 'reply') replies.push(step.text);
      else steps.push(step);
    }
  return { replies, steps };
}

const codes = (replies: readonly string[]): string[] => replies.map((r) => r.slice(0, 3));

describe('SMTP dialogue', () => {
  it('greets naming the host asked for, advertises what a relay does, and hands over the message', () => {
    const d = new SmtpDialogue('maila.microsoft.com');
    assert.equal(d.greeting(), '220 maila.microsoft.com ESMTP Postfix\r\n');
    const { replies, steps } = run([
      'EHLO spam.example',
      'MAIL FROM:<versand@angebot.example> SIZE=1200',
      'RCPT TO:<kunde1@example.de>',
      'RCPT TO:<kunde2@example.de>',
      'DATA',
      'Subject: Hallo',
      '',
      '..eine Zeile mit Punkt',
      '.',
      'QUIT',
    ]);
    assert.match(replies[0] ?? '', /^250-mx\.example\.de\r\n250-PIPELINING\r\n250-SIZE 262144\r\n.*250 8BITMIME\r\n$/s);
    assert.doesNotMatch(replies[0] ?? '', /STARTTLS/, 'STARTTLS is refused, so it is not offered');
    assert.deepEqual(codes(replies), ['250', '250', '250', '250', '354', '221']);
    assert.equal(steps[0]?.kind, 'message');
    const m = steps[0]?.kind === 'message' ? steps[0].message : null;
    assert.deepEqual(m?.to, ['kunde1@example.de', 'kunde2@example.de']);
    assert.equal(m?.from, 'versand@angebot.example');
    assert.equal(m?.helo, 'spam.example');
    assert.equal(m?.data, 'Subject: Hallo\r\n\r\n.eine Zeile mit Punkt\r\n', 'dot-stuffing undone');
    assert.equal(steps[1]?.kind, 'close');
  });

  it('keeps the order of a transaction as Postfix does', () => {
    const { replies } = run([
      'MAIL FROM:<a@b>',
      'HELO x',
      'RCPT TO:<c@d>',
      'DATA',
      'MAIL FROM:<a@b>',
      'MAIL FROM:<a@b>',
      'DATA',
      'RSET',
      'MAIL FROM:<>',
      'NOOP',
      'VRFY root',
      'HELO',
      'FOO bar',
    ]);
    assert.deepEqual(codes(replies), [
      '503',
      '250',
      '503',
      '503',
      '250',
      '503',
      '554',
      '250',
      '250',
      '250',
      '502',
      '501',
      '502',
    ]);
  });

  it('refuses STARTTLS, records AUTH usernames and refuses them, never the password', () => {
    const plain = Buffer.from('\0spammer@example.net\0secret').toString('base64');
    const { replies, steps } = run([
      'EHLO x',
      'STARTTLS',
      `AUTH PLAIN ${plain}`,
      'AUTH LOGIN',
      Buffer.from('admin').toString('base64'),
      Buffer.from('hunter2').toString('base64'),
      'AUTH LOGIN',
      '*',
      'AUTH CRAM-MD5',
    ]);
    assert.deepEqual(codes(replies), ['250', '454', '535', '334', '334', '535', '334', '501', '504']);
    assert.deepEqual(steps, [
      { kind: 'auth', mechanism: 'PLAIN', username: 'spammer@example.net' },
      { kind: 'auth', mechanism: 'LOGIN', username: 'admin' },
    ]);
    assert.doesNotMatch(JSON.stringify(steps), /secret|hunter2/);
  });

  it('refuses a message larger than the bound with 552 and keeps none of it', () => {
    const { replies, steps } = run(
      [
        'HELO x',
        'MAIL FROM:<a@b>',
        'RCPT TO:<c@d>',
        'DATA',
        'x'.repeat(600),
        'y'.repeat(600),
        '.',
        'MAIL FROM:<a@b> SIZE=5000',
      ],
      { maxMessageBytes: 1000 },
    );
    assert.deepEqual(codes(replies), ['250', '250', '250', '354', '552', '552']);
    assert.equal(steps.length, 0);
  });

  it('bounds recipients, messages, commands and errors', () => {
    const rcpts = run(['HELO x', 'MAIL FROM:<a@b>', 'RCPT TO:<1@d>', 'RCPT TO:<2@d>', 'RCPT TO:<3@d>'], {
      maxRecipients: 2,
    });
    assert.deepEqual(codes(rcpts.replies), ['250', '250', '250', '250', '452']);
    const one = ['MAIL FROM:<a@b>', 'RCPT TO:<c@d>', 'DATA', 'hi', '.'];
    const messages = run(['HELO x', ...one, ...one, 'MAIL FROM:<a@b>'], { maxMessages: 2 });
    assert.equal(messages.steps.filter((s) => s.kind === 'message').length, 2);
    assert.equal(codes(messages.replies).at(-1), '452');
    const commands = run(
      Array.from({ length: 10 }, () => 'NOOP'),
      { maxCommands: 5 },
    );
    assert.deepEqual(codes(commands.replies), ['250', '250', '250', '250', '250', '421']);
    assert.equal(commands.steps.at(-1)?.kind, 'close');
    const errors = run(
      Array.from({ length: 10 }, () => 'BOGUS'),
      { maxErrors: 3 },
    );
    assert.deepEqual(codes(errors.replies), ['502', '502', '502', '421']);
  });

  it('answers an over-long command line with 500 and does not take it apart', () => {
    const d = new SmtpDialogue('mx');
    const [r] = d.step({ text: `MAIL FROM:<${'a'.repeat(100)}>`, cut: true });
    assert.equal(r?.kind === 'reply' && r.text.slice(0, 3), '500');
    const bad = run(['HELO x', `MAIL FROM:<${'a'.repeat(300)}@b>`, 'MAIL FROM:<a b@c>', 'MAIL FROM:<a\x01@c>']);
    assert.deepEqual(codes(bad.replies), ['250', '501', '501', '501']);
  });

  it('says nothing more once closed', () => {
    const d = new SmtpDialogue('mx');
    d.step({ text: 'QUIT', cut: false });
    assert.equal(d.closed, true);
    assert.deepEqual(d.step({ text: 'HELO again', cut: false }), []);
  });
});
