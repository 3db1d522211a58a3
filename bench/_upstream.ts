/** The web server behind the proxies in the benches: a small fixed page (argv[3]: its size in bytes), keep-alive. */
import { createServer } from 'node:http';

const size = process.argv[3];
const page =
  size === undefined
    ? Buffer.from(`<!doctype html><title>bench</title><p>${'hello '.repeat(40)}</p>\n`)
    : Buffer.alloc(Number(size), 'a');
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
