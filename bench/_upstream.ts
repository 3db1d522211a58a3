/** The web server behind the proxies in bench/gateway.ts: a small fixed page, keep-alive. */
import { createServer } from 'node:http';

const page = Buffer.from(`<!doctype html><title>bench</title><p>${'hello '.repeat(40)}</p>\n`);
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/html', 'content-length': page.length });
    res.end(page);
  });
});
server.keepAliveTimeout = 5000;
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => process.exit(0));
