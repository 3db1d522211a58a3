// The reference bare Node reverse proxy (issue 21): node:http in front of an undici Pool with
// keep-alive, pool.stream, no rules, no logging — the ceiling a Node gateway can reach, and the
// peer bench/gateway.ts compares bansho with. Usage, from the project root (undici from here):
//   node bench/_referenceProxy.mjs LISTEN_PORT UPSTREAM_URL
import { createRequire } from 'node:module';
import http from 'node:http';

// undici is resolved from the current directory (the project's node_modules), not from here.
const { Pool } = createRequire(`${process.cwd()}/`)('undici');

const [port, upstream] = [Number(process.argv[2] ?? 18083), process.argv[3] ?? 'http://127.0.0.1:18080'];
const pool = new Pool(upstream, { connections: 64, pipelining: 1, keepAliveTimeout: 60_000 });

const CLIENT_GONE = new Set(['UND_ERR_ABORTED', 'ERR_STREAM_PREMATURE_CLOSE', 'ECONNRESET', 'EPIPE']);
// RFC 9110 §7.6.1: connection-specific headers are not forwarded.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade']);

function forwardHeaders(raw) {
  const out = {};
  for (const [name, value] of Object.entries(raw)) {
    if (!HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}

const server = http.createServer((req, res) => {
  // Only origin-form targets go upstream: an absolute-form or authority-form target
  // (open-proxy probe) is never forwarded anywhere.
  if (req.url[0] !== '/') {
    res.writeHead(400, { 'content-length': '0' }).end();
    return;
  }
  const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
  pool.stream(
    { path: req.url, method: req.method, headers: forwardHeaders(req.headers), body: hasBody ? req : null },
    ({ statusCode, headers }) => {
      res.writeHead(statusCode, forwardHeaders(headers));
      return res;
    },
  ).catch((err) => {
    if (!res.headersSent) res.writeHead(502, { 'content-length': '0' });
    res.end();
    // A client that hangs up mid-response (wrk at the end of a run) is not an upstream fault.
    if (!CLIENT_GONE.has(err.code)) console.error(`upstream error: ${err.code ?? err.message}`);
  });
});

server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => console.log(`node-proxy listening on 127.0.0.1:${port} -> ${upstream}`));

const stop = () => server.close(() => pool.close().then(() => process.exit(0)));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
