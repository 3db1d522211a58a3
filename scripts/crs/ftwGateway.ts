import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { CrsEngine, CrsVerdict } from '../../src/crs/index.js';
import type { CrsResponse } from '../../src/crs/request.js';

/**
 * The runner's stand-in for bansho's gateway: node's HTTP server, configured as the gateway
 * configures it (no Host required, strict parser), hands every request it parses to the CRS
 * engine, and answers as the test backend would (go-ftw's albedo: `/reflect` answers with the
 * status, headers and body its JSON asks for, so the response rules have something to read).
 * Requests node's parser refuses get the gateway's 400 and never reach CRS.
 */
export interface Exchange {
  /** The status line's code, 0 when nothing came back. */
  readonly status: number;
  readonly verdict: CrsVerdict | null;
}

const NO_RESPONSE_MS = 2000;

export class FtwGateway {
  private server: Server | null = null;
  private last: CrsVerdict | null = null;

  constructor(private readonly engine: CrsEngine) {}

  async start(): Promise<number> {
    const server = createServer({ requireHostHeader: false, insecureHTTPParser: false });
    // A connection whose request is still being judged: a parse error in the bytes after it (a
    // body sent without a length reads as a second request) is answered after it, as the
    // gateway answers pipelined requests in order.
    const busy = new WeakSet<object>();
    server.on('request', (req, res) => {
      busy.add(req.socket);
      void this.judge(req).then(({ status, headers, body }) => {
        res.writeHead(status, { ...headers, connection: 'close' });
        res.end(body);
        busy.delete(req.socket);
      });
    });
    server.on('checkContinue', (req, res) => server.emit('request', req, res));
    server.on('checkExpectation', (req, res) => server.emit('request', req, res));
    const tunnel = (req: IncomingMessage, socket: Duplex) => {
      void this.judge(req).then(({ status }) => socket.end(`HTTP/1.1 ${status} OK\r\nConnection: close\r\n\r\n`));
    };
    server.on('connect', tunnel);
    server.on('upgrade', tunnel);
    server.on('clientError', (_err, socket) => {
      if (busy.has(socket)) return;
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === null) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Sends the raw bytes on a fresh connection and reads the answer's status. */
  async exchange(port: number, bytes: Buffer): Promise<Exchange> {
    this.last = null;
    const status = await new Promise<number>((resolve) => {
      const socket: Socket = connect(port, '127.0.0.1');
      let answer = '';
      const timer = setTimeout(() => socket.destroy(), NO_RESPONSE_MS);
      socket.on('data', (chunk: Buffer) => {
        answer += chunk.toString('latin1');
      });
      socket.on('close', () => {
        clearTimeout(timer);
        resolve(Number(/^HTTP\/\d\.\d (\d{3})/.exec(answer)?.[1] ?? 0));
      });
      socket.on('error', () => undefined);
      socket.end(bytes);
    });
    return { status, verdict: this.last };
  }

  private async judge(
    req: IncomingMessage,
  ): Promise<{ status: number; headers: Record<string, string>; body: string }> {
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of req) chunks.push(chunk as Buffer);
    } catch {
      // The client gave up mid-body (its Content-Length promised more): judge what arrived.
    }
    const body = Buffer.concat(chunks);
    const headers: Array<[string, string]> = [];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2)
      headers.push([req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string]);
    const request = {
      method: req.method ?? 'GET',
      uri: req.url ?? '/',
      version: `HTTP/${req.httpVersion}`,
      headers,
      body: body.length === 0 ? null : body,
      remoteAddr: req.socket.remoteAddress ?? '127.0.0.1',
      remotePort: req.socket.remotePort ?? 0,
    };
    const response = reflected(request.uri, body);
    const verdict = this.engine.evaluate(request, response);
    this.last = verdict;
    if (verdict.blocked) return { status: verdict.status ?? 403, headers: {}, body: '' };
    return {
      status: response?.status ?? 200,
      headers: Object.fromEntries(response?.headers ?? []),
      body: response === undefined ? '' : String(response.body ?? ''),
    };
  }
}

/** albedo's `/reflect`: a JSON body naming the response's status, headers and body. */
function reflected(uri: string, body: Buffer): CrsResponse | undefined {
  if (!uri.startsWith('/reflect')) return undefined;
  let spec: { status?: number; headers?: Record<string, string>; body?: string; encodedBody?: string } = {};
  try {
    spec = JSON.parse(body.toString('utf8')) as typeof spec;
  } catch {
    // albedo answers a request it cannot read as plain 200; so does this.
  }
  const text =
    spec.encodedBody !== undefined ? Buffer.from(spec.encodedBody, 'base64') : Buffer.from(spec.body ?? '', 'utf8');
  return {
    status: spec.status ?? 200,
    headers: Object.entries(spec.headers ?? {}).map(([k, v]) => [k, String(v)] as [string, string]),
    body: text,
  };
}
