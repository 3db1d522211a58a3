/**
 * The floor for bench/gateway.ts's rejection figure: a bare net.Server that reads the peer's
 * address and resets every connection — the least node can do per accepted socket.
 */
import { createServer } from 'node:net';

const server = createServer((socket) => {
  if (socket.remoteAddress !== undefined) socket.resetAndDestroy();
});
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => process.exit(0));
