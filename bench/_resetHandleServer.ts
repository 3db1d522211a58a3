/**
 * The lower floor for bench/gateway.ts's rejection figure: what the gateway's handle guard
 * (src/gateway/handleGuard.ts) does at best — at node's listening handle, before any Socket
 * exists, read the peer's address and reset. What is left per connection is node's and the
 * kernel's: the accept, the client handle object, the call into JS, getpeername, the reset.
 */
import { createServer } from 'node:net';

type ClientHandle = { getpeername(out: { address?: string }): number; reset(): number; close(): void };
type ListeningHandle = { onconnection: (err: number, client?: ClientHandle) => void };

const server = createServer();
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  const handle = (server as unknown as { _handle: ListeningHandle })._handle;
  const peer: { address?: string } = {};
  handle.onconnection = (err, client) => {
    if (client === undefined) return;
    peer.address = undefined;
    if (err !== 0 || client.getpeername(peer) !== 0 || peer.address === undefined || client.reset() !== 0)
      client.close();
  };
  process.stdout.write('ready\n');
});
process.on('SIGTERM', () => process.exit(0));
