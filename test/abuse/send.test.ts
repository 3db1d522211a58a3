import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { simpleParser } from 'mailparser';
import { bansho } from '../cli/run.js';
import { tempDir, tlsFixture } from '../gateway/helpers.js';
import {
  ABUSE_DESK,
  ATTACKER,
  loopbackRegistry,
  RELAY_PROBER,
  replayThrough,
  SELF_PROBER,
  writeConfig,
} from './abuseWorld.js';
import { SmtpSink } from './smtpSink.js';

const PASSWORD_ENV = 'BANSHO_TEST_SMTP_PASSWORD';
const DAY_MS = 86_400_000;

/**
 * The day's cap counts reports sent since 00:00 UTC, so the suite's sends must fall on one UTC
 * day: started in its last two minutes, it waits for the next day to begin.
 */
async function sameUtcDayAhead(): Promise<void> {
  const left = DAY_MS - (Date.now() % DAY_MS);
  if (left < 120_000) await delay(left + 1000);
}

/**
 * `bansho abuse --send` against a local SMTP server with STARTTLS and AUTH: the report
 * arrives once, a second --send for the same incident sends nothing, --dry-run sends nothing,
 * the day's cap holds, and the bulletin shows the contact and the report from the cache.
 */
describe('sending abuse reports', () => {
  const tmp = tempDir('bansho-abuse-send-');
  const db = join(tmp.dir, 'bansho.db');
  const sink = new SmtpSink('reporter', 'correct horse');
  const env = { [PASSWORD_ENV]: 'correct horse' };
  let world: Awaited<ReturnType<typeof loopbackRegistry>>;
  let config = '';

  before(async () => {
    await sameUtcDayAhead();
    const listen = await replayThrough(db);
    world = await loopbackRegistry();
    await sink.start();
    config = writeConfig(tmp.dir, listen, db, {
      rdap_bootstrap: world.bootstrapUrl,
      rdap_timeout: '2s',
      daily_cap: 2,
      smtp: {
        host: '127.0.0.1',
        port: sink.port,
        security: 'starttls',
        user: 'reporter',
        password_env: PASSWORD_ENV,
        from: 'Example Web Team <security@example.org>',
        ca: tlsFixture('site.crt'),
        timeout: '5s',
      },
    });
  });
  after(async () => {
    await sink.stop();
    await Promise.all([world.registry.stop(), world.iana.stop()]);
    tmp.cleanup();
  });

  it('refuses to send without the password its config names, and sends nothing', async () => {
    const r = await bansho(['abuse', ATTACKER, '--config', config, '--send']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`abuse\\.smtp\\.password_env names ${PASSWORD_ENV}, which is not set`));
    assert.equal(sink.received.length, 0);
  });

  it('shows on --dry-run what would be sent, and to whom, without sending', async () => {
    const r = await bansho(['abuse', ATTACKER, '--config', config, '--dry-run'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      new RegExp(
        `^dry run: would send report [0-9a-f]{24}@example\\.org to ${ABUSE_DESK} \\(\\d+ events\\); nothing sent$`,
        'm',
      ),
    );
    assert.match(r.stdout, /^Content-Type: multipart\/report; report-type=feedback-report;/m);
    assert.equal(sink.received.length, 0);
  });

  it('sends the report once, over STARTTLS with AUTH, to the abuse contact', async () => {
    const r = await bansho(['abuse', ATTACKER, '--config', config, '--send'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      new RegExp(`^sent report [0-9a-f]{24}@example\\.org to ${ABUSE_DESK} \\(\\d+ events\\): 250`, 'm'),
    );
    assert.equal(sink.received.length, 1);
    const got = sink.received[0];
    assert.ok(got);
    assert.deepEqual(got.to, [ABUSE_DESK]);
    assert.equal(got.from, 'security@example.org');
    assert.equal(got.user, 'reporter');
    assert.equal(got.secure, true, 'upgraded with STARTTLS before AUTH');
    const mail = await simpleParser(got.raw);
    assert.equal((mail.headers.get('content-type') as { value: string }).value, 'multipart/report');
    assert.match(mail.text ?? '', /GET http:\/\/irc\.stealth\.net:5558\/ HTTP\/1\.1/);
  });

  it('sends nothing the second time for the same incident', async () => {
    const r = await bansho(['abuse', ATTACKER, '--config', config, '--send'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      new RegExp(
        `^nothing sent: every threat event from ${ATTACKER.replace(/\./g, '\\.')} was reported already \\(report [0-9a-f]{24}@example\\.org, sent \\S+ to ${ABUSE_DESK}\\)$`,
        'm',
      ),
    );
    assert.equal(sink.received.length, 1);
  });

  it('lists the report sent in the source file', async () => {
    const r = await bansho(['source', ATTACKER, '--config', config, '--no-rdns']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      new RegExp(
        `^ {2}${ABUSE_DESK} for LOOPBACK-DIAL, NET-LOOP-1, 127\\.0\\.0\\.0 - 127\\.0\\.0\\.255 \\(as of `,
        'm',
      ),
    );
    assert.match(
      r.stdout,
      new RegExp(`^ {2}report [0-9a-f]{24}@example\\.org sent \\S+ to ${ABUSE_DESK} \\(\\d+ events\\)$`, 'm'),
    );
  });

  it("stops at the day's cap", async () => {
    const second = await bansho(['abuse', RELAY_PROBER, '--config', config, '--send'], { env });
    assert.equal(second.code, 0, second.stderr);
    assert.equal(sink.received.length, 2);
    const third = await bansho(['abuse', SELF_PROBER, '--config', config, '--send'], { env });
    assert.equal(third.code, 1);
    assert.match(
      third.stdout,
      /^nothing sent: the day's cap of 2 reports is reached \(abuse\.daily_cap\); 2 sent since 00:00 UTC$/m,
    );
    assert.equal(sink.received.length, 2);
  });

  it('shows the abuse contact and the report sent in the bulletin, from the cache alone', async () => {
    const asked = world.registry.asked.length + world.iana.asked.length;
    const r = await bansho(['report', '--db', db, '--since', '1d', '--no-origins']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      new RegExp(
        `\\*\\*Abuse contact\\.\\*\\* ${ABUSE_DESK} \\(LOOPBACK-DIAL, 127\\.0\\.0\\.0 - 127\\.0\\.0\\.255\\); report sent \\S+Z to ${ABUSE_DESK}\\.`,
      ),
    );
    assert.equal(world.registry.asked.length + world.iana.asked.length, asked, 'the bulletin asked no registry');
  });
});
