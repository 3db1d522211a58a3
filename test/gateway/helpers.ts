import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { after, before } from 'node:test';
import { connect as tlsConnect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';
import { type ConfigFile, type GatewayConfig, resolveGatewayConfig, type Timeouts } from '../../src/config/index.js';
import type { SecurityEvent } from '../../src/events/securityEvent.js';
import { type GatewayService, startGatewayService } from '../../src/gateway/service.js';
import { SqliteEventStore } from '../../src/store/index.js';

/** A request the upstream received, as its own HTTP parser saw it. */
export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly bodyBytes: number;
  readonly bodySha256: string;
}

/**
 * A real upstream web site that records everything reaching it: every TCP connection
 * (counted before any parsing) and every request with a hash of its body. `POST /hash`
 * answers the body's sha256; `/ws` echoes WebSocket messages; `/slow?ms=N` answers after N ms;
 * `/big?bytes=N` answers N bytes. An upgrade request to any path but `/ws` gets a plain `200`
 * and the connection stays open, as a site that does not switch protocols leaves it: whatever
 * arrives on it afterwards is kept in `afterRefusedUpgrade`.
 */
export class RecordingUpstream {
  readonly server: Server;
  readonly requests: SeenRequest[] = [];
  connections = 0;
  bytesReceived = 0;
  afterRefusedUpgrade = '';
  readonly #detached = new Set<Duplex>();
  readonly #wss = new WebSocketServer({ noServer: true });

  constructor() {
    this.server = createServer((req, res) => {
      const hash = createHash('sha256');
      let bytes = 0;
      req.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        hash.update(chunk);
      });
      req.on('end', () => {
        const digest = hash.digest('hex');
        this.requests.push({
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          bodyBytes: bytes,
          bodySha256: digest,
        });
        const url = new URL(req.url ?? '/', 'http://upstream');
        if (url.pathname === '/big') {
          const size = Number(url.searchParams.get('bytes'));
          res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
          res.end(Buffer.alloc(size, 0x61));
          return;
        }
        const body =
          req.url === '/hash'
            ? `${digest} ${bytes}\n`
            : `<h1>the real site</h1><p>${req.method} ${req.url} ${bytes}</p>\n`;
        const answer = () => {
          res.writeHead(200, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(body) });
          res.end(body);
        };
        if (url.pathname === '/slow') setTimeout(answer, Number(url.searchParams.get('ms') ?? 200));
        else answer();
      });
    });
    this.server.on('connection', (socket: Socket) => {
      this.connections++;
      // Counted from the socket's byte counter at close: the parser reads the handle directly.
      socket.on('close', () => {
        this.bytesReceived += socket.bytesRead;
      });
    });
    this.server.on('upgrade', (req, socket, head) => {
      this.requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        bodyBytes: 0,
        bodySha256: '',
      });
      if (req.url !== '/ws') {
        socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 6\r\n\r\nplain\n');
        socket.on('data', (d: Buffer) => {
          this.afterRefusedUpgrade += d.toString('latin1');
        });
        socket.on('error', () => {});
        this.#detached.add(socket);
        return;
      }
      this.#wss.handleUpgrade(req, socket, head, (ws) => {
        ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
      });
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const c of this.#wss.clients) c.terminate();
    for (const s of this.#detached) s.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export function tempDir(prefix = 'bansho-test-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A gateway's config for tests: `file` as a config file would give it (its site policy included). */
export function testConfig(
  upstream: string,
  db: string,
  timeouts: Partial<Timeouts> = {},
  file: ConfigFile = {},
): GatewayConfig {
  const base = resolveGatewayConfig(file, { upstream, listen: '127.0.0.1:0', db });
  return { ...base, timeouts: { ...base.timeouts, ...timeouts }, dropReportIntervalMs: 200 };
}

export async function startTestGateway(
  config: GatewayConfig,
  options: { readonly acceptFastPath?: boolean } = {},
): Promise<GatewayService & { port: number }> {
  const service = await startGatewayService(config, { log: () => {}, ...options });
  return Object.assign(service, { port: service.gateway.address().port });
}

/** A RecordingUpstream and a temporary directory for one describe block (a suite that starts `bansho` itself). */
export interface SuiteUpstream {
  readonly upstream: RecordingUpstream;
  readonly dir: string;
  /** The upstream's URL, set by the suite's `before`. */
  url: string;
  /** `bansho serve` arguments: one worker in front of this upstream, on its own database `db` in `dir`, with `flags`. */
  serveArgs(db: string, ...flags: string[]): string[];
}

/** Start a RecordingUpstream before the describe block's tests; close it and remove the directory after. */
export function upstreamForSuite(prefix?: string): SuiteUpstream {
  const tmp = tempDir(prefix);
  const suite: SuiteUpstream = {
    upstream: new RecordingUpstream(),
    dir: tmp.dir,
    url: '',
    serveArgs: (db, ...flags) => [
      'serve',
      '--workers',
      '1',
      '--upstream',
      suite.url,
      '--listen',
      '127.0.0.1:0',
      '--db',
      `${tmp.dir}/${db}`,
      ...flags,
    ],
  };
  before(async () => {
    suite.url = await suite.upstream.listen();
  });
  after(async () => {
    await suite.upstream.close();
    tmp.cleanup();
  });
  return suite;
}

/** A gateway in front of a RecordingUpstream, for one describe block. */
export interface SuiteGateway {
  readonly upstream: RecordingUpstream;
  readonly db: string;
  /** Set by the suite's `before`. */
  service: GatewayService & { port: number };
  /** The HTTPS listener's port, 0 without one. */
  tlsPort: number;
}

/** Start a gateway (the test config with `overrides`) before the describe block's tests; stop it after. */
export function gatewayForSuite(overrides: Partial<GatewayConfig> = {}, file: ConfigFile = {}): SuiteGateway {
  const tmp = tempDir();
  const suite = {
    upstream: new RecordingUpstream(),
    db: `${tmp.dir}/bansho.db`,
    service: null as unknown as SuiteGateway['service'],
    tlsPort: 0,
  };
  before(async () => {
    const url = await suite.upstream.listen();
    suite.service = await startTestGateway({ ...testConfig(url, suite.db, {}, file), ...overrides });
    const tls = suite.service.gateway.tlsUrl();
    suite.tlsPort = tls ? Number(new URL(tls).port) : 0;
  });
  after(async () => {
    await suite.service.stop();
    await suite.upstream.close();
    tmp.cleanup();
  });
  return suite;
}

/** The events the gateway stored for `ip`, once its writer has flushed what it holds. */
export async function storedEvents(service: GatewayService, db: string, ip: string): Promise<SecurityEvent[]> {
  await service.gateway.events.flush();
  const store = new SqliteEventStore(db);
  try {
    return await store.query({ sourceIp: ip });
  } finally {
    await store.close();
  }
}

/** What a raw client connection saw: the bytes, and how it ended. */
export interface RawExchange {
  readonly response: string;
  /** `fin`: the server closed cleanly; `reset`: RST; `timeout`: still open at the deadline. */
  readonly ending: 'fin' | 'reset' | 'timeout';
}

/** Open a connection from `localAddress`, and wait until it is up. */
export function openRaw(port: number, localAddress: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Send bytes on an open socket (or none) and collect everything until the server closes it. */
export function exchange(socket: Socket, bytes: string | Buffer | null, deadlineMs = 5000): Promise<RawExchange> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (ending: RawExchange['ending']) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ response: Buffer.concat(chunks).toString('latin1'), ending });
    };
    const timer = setTimeout(() => finish('timeout'), deadlineMs);
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.once('end', () => finish('fin'));
    socket.once('error', () => finish('reset'));
    socket.once('close', () => finish('fin'));
    if (bytes !== null) socket.write(bytes);
  });
}

/** Connect from `localAddress`, send, collect until closed. A refused connect counts as a reset. */
export async function rawRequest(
  port: number,
  localAddress: string,
  bytes: string | Buffer,
  deadlineMs = 5000,
): Promise<RawExchange> {
  let socket: Socket;
  try {
    socket = await openRaw(port, localAddress);
  } catch {
    return { response: '', ending: 'reset' };
  }
  return exchange(socket, bytes, deadlineMs);
}

/** Poll `check` until it returns a value other than undefined, or fail after the deadline. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  deadlineMs = 5000,
): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const BAD_REQUEST_HEAD = 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n';

/** Self-signed, test-only certificates (see test/fixtures/tls/README.md). */
export const tlsFixture = (name: string): string => fileURLToPath(new URL(`../fixtures/tls/${name}`, import.meta.url));

export interface TlsExchange {
  readonly response: string;
  /** The CN of the certificate the gateway showed; null when no handshake happened. */
  readonly subject: string | null;
}

/**
 * One TLS connection from `localAddress`: send `bytes`, read until the gateway closes.
 * `preamble` goes out in the clear before the handshake (a balancer's PROXY header).
 */
export function tlsRequest(port: number, localAddress: string, bytes: string, preamble?: Buffer): Promise<TlsExchange> {
  return new Promise((resolve) => {
    let subject: string | null = null;
    let response = '';
    const tcp = connect({ host: '127.0.0.1', port, localAddress });
    tcp.on('error', () => {});
    const handshake = () => {
      const socket = tlsConnect({ socket: tcp, servername: 'localhost', rejectUnauthorized: false });
      socket.setTimeout(5000, () => socket.destroy());
      socket.once('secureConnect', () => {
        subject = String(socket.getPeerCertificate().subject?.CN ?? '');
        socket.write(bytes);
      });
      socket.on('data', (chunk: Buffer) => {
        response += chunk.toString('latin1');
      });
      socket.on('error', () => {});
      socket.once('close', () => resolve({ response, subject }));
    };
    if (preamble === undefined) handshake();
    else tcp.once('connect', () => tcp.write(preamble, handshake));
  });
}

/** PROXY protocol version 2 (see src/gateway/proxyProtocol.ts). */
const PROXY_V2_SIGNATURE = Buffer.from('0d0a0d0a000d0a515549540a', 'hex');

/** A version-2 PROXY header: command (0 LOCAL, 1 PROXY), family byte, address block, then `after`. */
export function proxyV2(command: 0 | 1, family: number, addresses: Buffer, after = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(4);
  head[0] = 0x20 | command;
  head[1] = family;
  head.writeUInt16BE(addresses.length, 2);
  return Buffer.concat([PROXY_V2_SIGNATURE, head, addresses, after]);
}

export function ipv4Addresses(src: string, dst: string, sport: number, dport: number): Buffer {
  const b = Buffer.alloc(12);
  src.split('.').forEach((o, i) => {
    b[i] = Number(o);
  });
  dst.split('.').forEach((o, i) => {
    b[4 + i] = Number(o);
  });
  b.writeUInt16BE(sport, 8);
  b.writeUInt16BE(dport, 10);
  return b;
}
