/**
 * The abuser side of the network-namespace test (netns.test.ts), run inside the namespace as
 * `node --import tsx test/honeypot/abuser.ts SCENARIO PORT`: each scenario plays one kind of
 * proxy abuse against the gateway on 127.0.0.1:PORT and prints one JSON line of what it got.
 * Nothing here resolves a name: every host is only ever written into a request.
 */
import { execFile } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { promisify } from 'node:util';
import fc from 'fast-check';
import nodemailer from 'nodemailer';

const [scenario = '', portText = ''] = process.argv.slice(2);
const PORT = Number(portText);

/** One connection: send the parts in turn (each after `wait` ms), collect until close or `deadlineMs`. */
function converse(from: string, parts: ReadonlyArray<string | Buffer>, deadlineMs = 3000, wait = 50): Promise<string> {
  return new Promise((resolve) => {
    let got = '';
    const s: Socket = connect({ host: '127.0.0.1', port: PORT, localAddress: from });
    const done = () => {
      clearTimeout(timer);
      s.destroy();
      resolve(got);
    };
    const timer = setTimeout(done, deadlineMs);
    s.on('data', (d: Buffer) => {
      got += d.toString('latin1');
    });
    s.on('error', done);
    s.on('close', done);
    s.on('connect', async () => {
      for (const p of parts) {
        if (s.destroyed) return;
        s.write(p);
        await new Promise((r) => setTimeout(r, wait));
      }
    });
  });
}

const SMTP = [
  'HELO pc\r\n',
  'MAIL FROM:<a@spam.example>\r\n',
  'RCPT TO:<z@example.de>\r\n',
  'DATA\r\n',
  'Subject: x\r\n\r\nhi\r\n.\r\n',
  'QUIT\r\n',
];

const SCENARIOS: Record<string, () => Promise<unknown>> = {
  prettypark: async () => {
    const probe = await converse('127.0.0.61', [
      'GET http://irc.stealth.net:5558/ HTTP/1.1\r\nHost: irc.stealth.net:5558\r\n\r\n',
    ]);
    const mail = await converse('127.0.0.61', ['CONNECT maila.microsoft.com:25 / HTTP/1.0\r\n\r\n', ...SMTP]);
    return { probe: probe.slice(0, 15), queued: /queued as/.test(mail) };
  },
  nodemailer: async () => {
    const t = nodemailer.createTransport({
      host: 'mx.beispiel.de',
      port: 25,
      name: 'pc.example.it',
      proxy: `http://127.0.0.1:${PORT}`,
    });
    const info = await t.sendMail({
      from: 'versand@angebot.example',
      to: 'kunde@beispiel.de',
      subject: 'Günstige Kredite – jetzt!',
      text: 'Sehr geehrte Damen und Herren',
    });
    t.close();
    return { response: info.response.slice(0, 20) };
  },
  smtplib: async () => {
    const script = `
import smtplib, socket, sys
class P(smtplib.SMTP):
    def _get_socket(self, host, port, timeout):
        s = socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout, source_address=('127.0.0.62', 0))
        s.sendall(b'CONNECT mail.example.de:587 HTTP/1.0\\r\\n\\r\\n')
        head = b''
        while not head.endswith(b'\\r\\n\\r\\n'):
            head += s.recv(1)
        return s
smtp = P(local_hostname='pc.example.de', timeout=10)
smtp.connect('mail.example.de', 587)
smtp.sendmail('a@spam.example', ['b@example.de'], b'Subject: Hallo\\r\\n\\r\\nText\\r\\n')
print(smtp.quit()[0])
`;
    const run = await promisify(execFile)('python3', ['-c', script, String(PORT)], { timeout: 20_000 }).catch(
      (e: Error) => ({ stdout: e.message }),
    );
    return { quit: run.stdout.trim() };
  },
  irc: async () => {
    const got = await converse('127.0.0.63', [
      'CONNECT irc.efnet.example:6667 HTTP/1.0\r\n\r\n',
      'NICK drone\r\nUSER d 0 * :d\r\n',
      'JOIN #cmd\r\n',
      'PRIVMSG #cmd :ready\r\n',
      'QUIT\r\n',
    ]);
    return { welcomed: / 001 drone /.test(got) };
  },
  'irc-post': async () => {
    const body = 'NICK p\r\nUSER p 0 * :p\r\nJOIN #x\r\n';
    const got = await converse('127.0.0.64', [
      `POST http://irc.example.org:6667/ HTTP/1.0\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    ]);
    return { welcomed: / 001 p /.test(got) };
  },
  tls: async () => {
    const s = connect({ host: '127.0.0.1', port: PORT, localAddress: '127.0.0.65' });
    await new Promise((r) => s.once('connect', r));
    s.write('CONNECT www.bank.example:443 HTTP/1.1\r\n\r\n');
    await new Promise((r) => s.once('data', r));
    const t = tlsConnect({ socket: s, servername: 'secure.bank.example', rejectUnauthorized: false });
    t.on('error', () => {});
    await new Promise((r) => setTimeout(r, 500));
    s.destroy();
    return { tunnelled: true };
  },
  judge: async () => {
    const got = await converse('127.0.0.66', [
      'GET http://judge.example/azenv.php HTTP/1.1\r\nHost: judge.example\r\n\r\n',
    ]);
    return { remoteAddr: /REMOTE_ADDR = 127\.0\.0\.66/.test(got) };
  },
  fuzz: async () => {
    // Whatever it asks for — loopback, the sinkhole's own DNS server, IPv6, names — and whatever it sends after.
    const host = fc.constantFrom(
      '127.0.0.1',
      'localhost',
      '10.253.0.53',
      '[::1]',
      '192.0.2.25',
      'mx.example.com',
      'a'.repeat(300),
    );
    const port = fc.constantFrom(25, 53, 80, 443, 465, 587, 6667, 8080, 18081, 65535);
    // Absolute form to 80, 443 or 8080 of localhost names the site itself: that is forwarded, rightly.
    const foreignPort = fc.constantFrom(25, 53, 465, 587, 5558, 6667, 18081, 65535);
    const tail = fc.array(
      fc.oneof(
        fc.constantFrom(...SMTP, 'NICK x\r\nUSER x 0 * :x\r\n', 'JOIN #a\r\n'),
        fc.string({ unit: 'binary', maxLength: 300 }),
      ),
      {
        maxLength: 8,
      },
    );
    const opening = fc.oneof(
      fc.tuple(host, port).map(([h, p]) => `CONNECT ${h}:${p} HTTP/1.1\r\n\r\n`),
      fc.tuple(host, port).map(([h, p]) => `CONNECT ${h}:${p} / HTTP/1.0\r\n\r\n`),
      fc.tuple(host, foreignPort).map(([h, p]) => `GET http://${h}:${p}/ HTTP/1.1\r\nHost: ${h}\r\n\r\n`),
      fc
        .tuple(host, foreignPort)
        .map(([h, p]) => `POST http://${h}:${p}/ HTTP/1.0\r\nContent-Length: 20\r\n\r\nNICK a\r\nUSER a 0 * :\r\n`),
    );
    const runs = fc.sample(fc.tuple(opening, tail, fc.integer({ min: 70, max: 90 })), { numRuns: 150, seed: 16 });
    let answered = 0;
    for (const [first, rest, last] of runs) {
      const got = await converse(`127.0.0.${last}`, [first, ...rest], 1500, 5);
      if (got.length > 0) answered++;
    }
    return { runs: runs.length, answered };
  },
  nmap: async () => {
    const run = await promisify(execFile)(
      'nmap',
      ['-n', '-Pn', '-sT', '-p', String(PORT), '--script', 'http-open-proxy', '127.0.0.1'],
      {
        timeout: 120_000,
      },
    );
    return {
      open: /Potentially OPEN proxy/i.test(run.stdout),
      output: run.stdout.split('\n').filter((l) => l.startsWith('|')),
    };
  },
};

const run = SCENARIOS[scenario];
if (run === undefined || !Number.isInteger(PORT)) {
  process.stderr.write(`usage: abuser.ts ${Object.keys(SCENARIOS).join('|')} PORT\n`);
  process.exit(2);
}
run().then(
  (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
  (err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exitCode = 1;
  },
);
