import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { z } from 'zod';
import type { GatewayConfig } from '../../src/config/gatewayConfig.js';
import { resolveHoneypot } from '../../src/config/honeypotSettings.js';
import { ConfigFileSchema } from '../../src/config/schema.js';
import { openRaw, waitFor } from '../gateway/helpers.js';

/** The `honeypot` section as a config file writes it (`idle: 700ms`), checked by the config schema. */
type HoneypotSection = NonNullable<z.input<typeof ConfigFileSchema.shape.honeypot>>;

/** The config's `honeypot` section as a test writes it, switched on, over a quarantine in `dir`. */
export function honeypotOn(dir: string, section: HoneypotSection = {}): Partial<GatewayConfig> {
  const written = { enabled: true, ...section, quarantine: { dir: `${dir}/quarantine`, ...section.quarantine } };
  return { honeypot: resolveHoneypot(ConfigFileSchema.shape.honeypot.parse(written)) };
}

/**
 * A raw client conversation: send, read what comes, in turns. `read(until)` waits (with a
 * deadline) for the received text to match; `closed` resolves when the server ends the connection.
 */
export class RawClient {
  readonly socket: Socket;
  received = '';
  readonly closed: Promise<'fin' | 'reset'>;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (d: Buffer) => {
      this.received += d.toString('latin1');
    });
    this.closed = new Promise((resolve) => {
      socket.once('error', () => resolve('reset'));
      socket.once('close', () => resolve('fin'));
    });
  }

  static async open(port: number, from: string): Promise<RawClient> {
    return new RawClient(await openRaw(port, from));
  }

  send(text: string | Buffer): void {
    this.socket.write(typeof text === 'string' ? Buffer.from(text, 'latin1') : text);
  }

  /** Wait until what was received matches; returns it. */
  read(until: RegExp, deadlineMs = 5000): Promise<string> {
    return this.#wait(String(until), () => (until.test(this.received) ? this.received : undefined), deadlineMs);
  }

  /** Send one line and wait for the reply matching `until`, returning only what came after the send. */
  async ask(line: string, until: RegExp): Promise<string> {
    const before = this.received.length;
    this.send(`${line}\r\n`);
    const what = `${until} after ${JSON.stringify(line)}`;
    await this.#wait(what, () => (until.test(this.received.slice(before)) ? true : undefined));
    return this.received.slice(before);
  }

  /** waitFor, telling on failure what had been received by then. */
  async #wait<T>(what: string, check: () => T | undefined, deadlineMs = 5000): Promise<T> {
    try {
      return await waitFor(what, check, deadlineMs);
    } catch (err) {
      throw new Error(`${(err as Error).message}; received ${JSON.stringify(this.received.slice(-400))}`);
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

/** The bytes of a real TLS ClientHello for `servername`, as node's TLS client sends it. */
export function clientHelloFor(servername: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => {
      socket.once('data', (hello: Buffer) => {
        resolve(hello);
        socket.destroy();
        server.close();
      });
    });
    server.listen(0, '127.0.0.1', () => {
      const tcp = connect((server.address() as AddressInfo).port, '127.0.0.1');
      const tls = tlsConnect({ socket: tcp, servername, rejectUnauthorized: false });
      tls.on('error', () => {});
      tcp.on('error', reject);
    });
  });
}
