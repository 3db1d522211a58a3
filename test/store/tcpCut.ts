import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP relay on 127.0.0.1 between a client and a server on this machine, which a test can
 * cut (every connection reset, new ones refused at once) and restore: a database outage
 * without stopping the database that other tests use.
 */
export class TcpCut {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #open = true;

  constructor(
    readonly targetPort: number,
    readonly targetHost = '127.0.0.1',
  ) {
    this.#server = createServer((client) => {
      if (!this.#open) {
        client.resetAndDestroy();
        return;
      }
      const upstream = connect(this.targetPort, this.targetHost);
      this.#track(client);
      this.#track(upstream);
      client.pipe(upstream);
      upstream.pipe(client);
      const close = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', close);
      upstream.on('error', close);
      client.on('close', close);
      upstream.on('close', close);
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    const address = this.#server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return address.port;
  }

  /** Reset every relayed connection and refuse new ones. */
  cut(): void {
    this.#open = false;
    for (const s of this.#sockets) s.resetAndDestroy();
    this.#sockets.clear();
  }

  restore(): void {
    this.#open = true;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #track(socket: Socket): void {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
  }
}

/** `url` with its port replaced (to go through a TcpCut). */
export function throughPort(url: string, port: number): string {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(port);
  return u.toString();
}
