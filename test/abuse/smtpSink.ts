import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { tlsFixture } from '../gateway/helpers.js';

/** A message the sink accepted, with its envelope and how the session got there. */
export interface Received {
  readonly from: string;
  readonly to: readonly string[];
  readonly raw: string;
  readonly user: string | undefined;
  /** True when the session had been upgraded with STARTTLS. */
  readonly secure: boolean;
}

/**
 * An SMTP server on 127.0.0.1 that keeps what it receives: STARTTLS with the test certificate,
 * AUTH required and only after STARTTLS (smtp-server refuses it in clear by default), one
 * user and password.
 */
export class SmtpSink {
  readonly received: Received[] = [];
  port = 0;
  readonly #server: SMTPServer;

  constructor(
    readonly user: string,
    readonly password: string,
  ) {
    this.#server = new SMTPServer({
      secure: false,
      key: readFileSync(tlsFixture('site.key')),
      cert: readFileSync(tlsFixture('site.crt')),
      authMethods: ['PLAIN', 'LOGIN'],
      onAuth: (auth, _session, callback) => {
        if (auth.username === this.user && auth.password === this.password) callback(null, { user: auth.username });
        else callback(new Error('Invalid username or password'));
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          this.received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
            user: typeof session.user === 'string' ? session.user : undefined,
            secure: session.secure,
          });
          callback();
        });
      },
      logger: false,
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.#server.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
