import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import nodemailer from 'nodemailer';
import type { SecurityEvent } from '../../src/events/securityEvent.js';
import { gatewayForSuite, storedEvents, tempDir, waitFor } from '../gateway/helpers.js';
import { honeypotOn, RawClient } from './helpers.js';

const PYTHON = spawnSync('python3', ['--version']).status === 0 ? 'python3' : null;

/** The message events of `ip`, once `count` of them are stored. */
async function messages(
  suite: ReturnType<typeof gatewayForSuite>,
  ip: string,
  count: number,
): Promise<SecurityEvent[]> {
  return waitFor(`${count} message event(s) from ${ip}`, async () => {
    const found = (await storedEvents(suite.service, suite.db, ip)).filter((e) => e.email !== undefined);
    return found.length >= count ? found : undefined;
  });
}

/**
 * A spam run as open-proxy abusers made them in the early 2000s: CONNECT to a mail server through
 * "an open proxy", then a whole SMTP dialogue with a German-language message. The abuser must get
 * a real relay's replies, the envelope and subject must be recorded exactly, nothing is relayed.
 */
describe('a spam relay through the honeypot', () => {
  const tmp = tempDir();
  const suite = gatewayForSuite(honeypotOn(tmp.dir));

  it('nodemailer, through its proxy option (a real CONNECT), is told its message was queued', async () => {
    const transport = nodemailer.createTransport({
      host: 'mx.beispiel.de',
      port: 25,
      name: 'pc-4711.dialup.example.it',
      proxy: `http://127.0.0.1:${suite.service.port}`,
    });
    const info = await transport.sendMail({
      envelope: { from: 'versand@billig-angebot.example', to: ['kunde@beispiel.de', 'info@example-firma.de'] },
      from: '"Günstig-Versand" <angebote@billig-angebot.example>',
      to: 'kunde@beispiel.de',
      subject: 'Günstige Kredite – jetzt zugreifen, solange der Vorrat reicht!',
      text: 'Sehr geehrte Damen und Herren,\n\nnur heute: Kredite ohne Schufa!\n',
    });
    transport.close();
    assert.match(info.response, /^250 2\.0\.0 Ok: queued as [0-9A-F]{12}$/);
    assert.deepEqual(info.accepted, ['kunde@beispiel.de', 'info@example-firma.de']);

    const [m] = await messages(suite, '127.0.0.1', 1);
    assert.deepEqual(m?.email?.from?.address, ['versand@billig-angebot.example']);
    assert.deepEqual(m?.email?.to?.address, ['kunde@beispiel.de', 'info@example-firma.de']);
    assert.equal(m?.email?.subject, 'Günstige Kredite – jetzt zugreifen, solange der Vorrat reicht!');
    assert.equal(m?.email?.message_id, info.messageId.replace(/^<|>$/g, ''));
    assert.equal(m?.email?.local_id, info.response.slice(-12));
    assert.equal(m?.destination?.domain, 'mx.beispiel.de');
    assert.equal(m?.threat?.software?.id, 'mail-relay-attempt');
    const q = m?.bansho.honeypot?.quarantine;
    assert.ok(q && 'file' in q, 'kept in quarantine');
    assert.equal(statSync(q.file).mode & 0o777, 0o600);
    assert.match(readFileSync(q.file, 'latin1'), /^Return-Path: <versand@billig-angebot\.example>\r\n/);
    assert.equal(suite.upstream.connections, 0, 'nothing reached the site');
  });

  it('a replayed 2003 dialogue gets, line by line, the replies a relay gives', async () => {
    const c = await RawClient.open(suite.service.port, '127.0.0.21');
    c.send('CONNECT mail.gmx.example:25 HTTP/1.0\r\n\r\n');
    assert.match(
      await c.read(/220 .*\r\n$/),
      /^HTTP\/1\.0 200 Connection established\r\n\r\n220 mail\.gmx\.example ESMTP Postfix\r\n$/,
    );
    assert.match(await c.ask('HELO pc-17.dsl.example.de', /\r\n$/), /^250 mail\.gmx\.example\r\n$/);
    assert.match(await c.ask('MAIL FROM: <news@gewinnspiel-2003.example>', /\r\n$/), /^250 2\.1\.0 Ok\r\n$/);
    for (const to of ['<m.mueller@example.de>', '<info@example-gmbh.de>', '<s.schmidt@example.at>'])
      assert.match(await c.ask(`RCPT TO:${to}`, /\r\n$/), /^250 2\.1\.5 Ok\r\n$/);
    assert.match(await c.ask('DATA', /\r\n$/), /^354 /);
    const body = [
      'From: "Gewinnspiel" <news@gewinnspiel-2003.example>',
      'To: undisclosed-recipients:;',
      'Subject: =?ISO-8859-1?Q?Herzlichen_Gl=FCckwunsch=2C_Sie_haben_gewonnen!?=',
      'Message-ID: <200302031547.AA01234@gewinnspiel-2003.example>',
      'X-Mailer: Microsoft Outlook Express 6.00.2600.0000',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=ISO-8859-1',
      'Content-Transfer-Encoding: 8bit',
      '',
      Buffer.from(
        'Sie haben einen Preis gewonnen! Rufen Sie sofort an: 0190-123456 (1,86 EUR/Min.)',
        'latin1',
      ).toString('latin1'),
      '.. und noch eine Zeile mit Punkt',
    ].join('\r\n');
    c.send(`${body}\r\n`);
    assert.match(await c.ask('.', /\r\n$/), /^250 2\.0\.0 Ok: queued as [0-9A-F]{12}\r\n$/);
    assert.match(await c.ask('QUIT', /\r\n$/), /^221 2\.0\.0 Bye\r\n$/);
    assert.equal(await c.closed, 'fin');

    const [m] = await messages(suite, '127.0.0.21', 1);
    assert.deepEqual(m?.email?.from?.address, ['news@gewinnspiel-2003.example']);
    assert.deepEqual(m?.email?.to?.address, ['m.mueller@example.de', 'info@example-gmbh.de', 's.schmidt@example.at']);
    assert.equal(m?.email?.subject, 'Herzlichen Glückwunsch, Sie haben gewonnen!');
    assert.equal(m?.email?.x_mailer, 'Microsoft Outlook Express 6.00.2600.0000');
    const q = m?.bansho.honeypot?.quarantine;
    assert.ok(q && 'file' in q);
    assert.ok(readFileSync(q.file, 'latin1').endsWith(`${body.replace('\r\n..', '\r\n.')}\r\n`), 'kept byte for byte');
    assert.equal(suite.upstream.connections, 0);
  });

  it("Python's smtplib over a socket after a CONNECT, with a raw 8-bit German subject", {
    skip: PYTHON ? false : 'python3 is not installed',
  }, async () => {
    const script = `
import smtplib, socket, sys
port = int(sys.argv[1])
class ThroughProxy(smtplib.SMTP):
    def _get_socket(self, host, port_, timeout):
        s = socket.create_connection(('127.0.0.1', port), timeout, source_address=('127.0.0.22', 0))
        s.sendall(b'CONNECT smtp.web.example:587 HTTP/1.1\\r\\nHost: smtp.web.example:587\\r\\n\\r\\n')
        head = b''
        while not head.endswith(b'\\r\\n\\r\\n'):
            head += s.recv(1)
        assert head.startswith(b'HTTP/1.0 200 '), head
        return s
smtp = ThroughProxy(local_hostname='p5089ab12.dip.example.de', timeout=10)
print(smtp.connect('smtp.web.example', 587)[0])
msg = (b'From: Viagra-Shop <shop@pillen.example>\\r\\nTo: du@example.de\\r\\n'
       b'Subject: Billige Medikamente f\\xfcr Sie - 80% g\\xfcnstiger\\r\\n\\r\\nJetzt bestellen!\\r\\n')
print(smtp.sendmail('shop@pillen.example', ['du@example.de'], msg))
code, text = smtp.quit()
print(code)
`;
    // Asynchronously: the gateway answering it runs in this very process.
    const run = await promisify(execFile)(PYTHON as string, ['-c', script, String(suite.service.port)], {
      timeout: 20_000,
    });
    assert.deepEqual(run.stdout.trim().split('\n'), ['220', '{}', '221']);
    const [m] = await messages(suite, '127.0.0.22', 1);
    assert.deepEqual(m?.email?.from?.address, ['shop@pillen.example']);
    assert.deepEqual(m?.email?.to?.address, ['du@example.de']);
    assert.equal(m?.email?.subject, 'Billige Medikamente für Sie - 80% günstiger');
    assert.equal(m?.bansho.honeypot?.helo, 'p5089ab12.dip.example.de');
  });
});
