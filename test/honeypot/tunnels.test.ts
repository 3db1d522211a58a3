import assert from 'node:assert/strict';
import { request } from 'node:http';
import { describe, it } from 'node:test';
import { connect as tlsConnect } from 'node:tls';
import type { SecurityEvent } from '../../src/events/securityEvent.js';
import { gatewayForSuite, rawRequest, storedEvents, tempDir, waitFor } from '../gateway/helpers.js';
import { honeypotOn, RawClient } from './helpers.js';

type Suite = ReturnType<typeof gatewayForSuite>;

/** The honeypot's session event of `ip` once it has ended. */
async function sessionOf(suite: Suite, ip: string, service: string): Promise<SecurityEvent> {
  return waitFor(`the ${service} session of ${ip}`, async () =>
    (await storedEvents(suite.service, suite.db, ip)).find(
      (e) => e.bansho.honeypot?.service === service && e.bansho.honeypot.end !== undefined,
    ),
  );
}

describe('what else the honeypot plays', () => {
  const tmp = tempDir();
  const suite = gatewayForSuite(
    honeypotOn(tmp.dir, { session: { idle: '700ms', bytes: '8KiB' }, quarantine: { max_message: '2KiB' } }),
  );

  it('CONNECT :443 gets 200, then silence; the ClientHello names the real target', async () => {
    const c = await RawClient.open(suite.service.port, '127.0.0.41');
    c.send('CONNECT www.bank.example:443 HTTP/1.1\r\nHost: www.bank.example:443\r\n\r\n');
    assert.equal(await c.read(/\r\n\r\n$/), 'HTTP/1.0 200 Connection established\r\n\r\n');
    const tls = tlsConnect({ socket: c.socket, servername: 'login.other-bank.example', rejectUnauthorized: false });
    tls.on('error', () => {});
    const session = await sessionOf(suite, '127.0.0.41', 'silent');
    assert.equal(session.tls?.client?.server_name, 'login.other-bank.example');
    assert.equal(session.destination?.domain, 'www.bank.example');
    assert.equal(session.bansho.honeypot?.end, 'idle');
    assert.match(session.bansho.honeypot?.first_bytes ?? '', /^\\x16\\x03/);
    assert.equal(c.received, 'HTTP/1.0 200 Connection established\r\n\r\n', 'not a byte besides the 200');
  });

  it('CONNECT to an IRC port gets an IRC server that records NICK, USER, JOIN, PRIVMSG', async () => {
    const c = await RawClient.open(suite.service.port, '127.0.0.42');
    c.send('CONNECT irc.undernet.example:6667 HTTP/1.0\r\n\r\n');
    await c.read(/NOTICE AUTH :\*\*\* Couldn't look up your hostname\r\n$/);
    c.send('NICK bot123\r\nUSER bot 0 * :owned box\r\n');
    await c.read(/ 376 bot123 :End of \/MOTD command\.\r\n$/);
    assert.match(await c.ask('JOIN #botnet secretkey', /366 /), /^:bot123!bot@127\.0\.0\.42 JOIN :#botnet\r\n/);
    c.send('PRIVMSG #botnet :ready, uin=555\r\n');
    assert.match(await c.ask('PING :42', /PONG/), /PONG irc\.undernet\.example :42\r\n$/);
    await c.ask('QUIT :gone', /^ERROR :Closing Link/);
    const session = await sessionOf(suite, '127.0.0.42', 'irc');
    assert.deepEqual(session.bansho.honeypot?.irc, {
      nick: 'bot123',
      user: 'bot',
      realname: 'owned box',
      channels: ['#botnet'],
      messages: [{ target: '#botnet', text: 'ready, uin=555' }],
    });
    assert.equal(session.threat?.software?.id, 'irc-relay-attempt');
  });

  it('an absolute-form POST to an IRC port is relayed to the IRC dialogue, line by line', async () => {
    const body = 'NICK poster\r\nUSER p 0 * :p\r\nJOIN #spam\r\nPRIVMSG #spam :buy now\r\n';
    const answer = await rawRequest(
      suite.service.port,
      '127.0.0.43',
      `POST http://irc.efnet.example:6667/ HTTP/1.0\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    assert.match(
      answer.response,
      /^HTTP\/1\.0 200 OK\r\n[\s\S]*:irc\.efnet\.example 451 POST :You have not registered\r\n/,
    );
    assert.match(answer.response, /:irc\.efnet\.example 001 poster :Welcome/);
    const session = await sessionOf(suite, '127.0.0.43', 'irc-probe');
    assert.deepEqual(session.bansho.honeypot?.irc?.channels, ['#spam']);
  });

  it('a proxy judge sees an elite proxy: its own request, its own address, no Via', async () => {
    const page = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({
        host: '127.0.0.1',
        port: suite.service.port,
        localAddress: '127.0.0.44',
        path: 'http://judge.proxylists.example/azenv.php?check=1',
        headers: {
          'user-agent': 'ProxyChecker/2.0',
          'proxy-connection': 'keep-alive',
          host: 'judge.proxylists.example',
        },
      });
      req.on('response', (res) => {
        let body = '';
        res.setEncoding('latin1');
        res.on('data', (d: string) => {
          body += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(page.status, 200);
    assert.match(page.body, /<title>AZ Environment variables 1\.04<\/title>/);
    assert.match(page.body, /^REMOTE_ADDR = 127\.0\.0\.44$/m);
    assert.match(page.body, /^REQUEST_URI = \/azenv\.php\?check=1$/m);
    assert.match(page.body, /^HTTP_USER_AGENT = ProxyChecker\/2\.0$/m);
    assert.doesNotMatch(page.body, /VIA|FORWARDED|PROXY_CONNECTION/);
    const session = await sessionOf(suite, '127.0.0.44', 'proxy-judge');
    assert.equal(session.threat?.software?.id, 'proxy-judge');
    assert.equal(suite.upstream.connections, 0);
  });

  it('bounds a session: idle time (421 to the SMTP client), bytes, message size', async () => {
    const idle = await RawClient.open(suite.service.port, '127.0.0.45');
    idle.send('CONNECT mx.example.org:587 HTTP/1.1\r\n\r\n');
    await idle.read(
      /^HTTP\/1\.0 200 Connection established\r\n\r\n220 mx\.example\.org ESMTP Postfix\r\n421 4\.4\.2 mx\.example\.org Error: timeout exceeded\r\n$/,
    );
    assert.equal(await idle.closed, 'fin');

    const flood = await RawClient.open(suite.service.port, '127.0.0.46');
    flood.send('CONNECT 192.0.2.80:8080 HTTP/1.1\r\n\r\n');
    await flood.read(/\r\n\r\n$/);
    for (let i = 0; i < 12; i++) flood.send(Buffer.alloc(1024, 0x41));
    await flood.closed;
    assert.equal((await sessionOf(suite, '127.0.0.46', 'silent')).bansho.honeypot?.end, 'budget');

    const big = await RawClient.open(suite.service.port, '127.0.0.47');
    big.send('CONNECT mx.example.org:25 HTTP/1.1\r\n\r\n');
    await big.read(/220 /);
    await big.ask('EHLO x', /\n250 8BITMIME\r\n$/);
    await big.ask('MAIL FROM:<a@b.example>', /^250 /);
    await big.ask('RCPT TO:<c@d.example>', /^250 /);
    await big.ask('DATA', /^354 /);
    big.send(`${'x'.repeat(70)}\r\n`.repeat(40));
    assert.match(await big.ask('.', /\r\n$/), /^552 5\.3\.4 /);
    big.close();
  });

  it('legitimate traffic never meets the honeypot', async () => {
    const ok = await rawRequest(
      suite.service.port,
      '127.0.0.48',
      'GET /index.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
    );
    assert.match(ok.response, /^HTTP\/1\.1 200 OK\r\n[\s\S]*the real site/);
    const events = await storedEvents(suite.service, suite.db, '127.0.0.48');
    assert.deepEqual(events, []);
    assert.equal(suite.upstream.requests.at(-1)?.url, '/index.html');
  });
});

describe('honeypot off (the default)', () => {
  const suite = gatewayForSuite();

  it('a CONNECT to a mail port gets the 400 of 2003, as always', async () => {
    const r = await rawRequest(suite.service.port, '127.0.0.49', 'CONNECT mx.example.org:25 HTTP/1.1\r\n\r\n');
    assert.match(r.response, /^HTTP\/1\.1 400 Bad Request\r\n/);
  });
});
