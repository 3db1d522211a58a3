/**
 * The peer for bench/gateway.ts: a bare reverse proxy written the ordinary way — node:http in,
 * an undici Pool out, bodies piped, hop-by-hop headers dropped — and nothing else. Run as a
 * child process: `node --import tsx bench/_bareProxy.ts UPSTREAM_URL PORT`.
 */
import { createServer } from 'node:http';
import { pipeline } from 'node:stream';
import { Pool } from 'undici';

const [upstream = '', portText = '0'] = process.argv.slice(2);
const pool = new Pool(upstream, { connections: 64, pipelining: 1 });
const HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
]);

const server = createServer((req, res) => {
  const headers: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] as string;
    if (!HOP.has(name.toLowerCase())) headers.push(name, req.rawHeaders[i + 1] as string);
  }
  headers.push('x-forwarded-for', req.socket.remoteAddress ?? '');
  const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
  pool.request({ method: req.method as 'GET', path: req.url as string, headers, body: hasBody ? req : null }).then(
    ({ statusCode, headers: h, body }) => {
      for (const name of HOP) delete h[name];
      res.writeHead(statusCode, h as Record<string, string>);
      pipeline(body, res, () => {});
    },
    () => {
      res.writeHead(502);
      res.end();
    },
  );
});
server.keepAliveTimeout = 5000;
server.listen(Number(portText), '127.0.0.1', () => {
  process.stdout.write('ready\n');
});
process.on('SIGTERM', () => process.exit(0));
