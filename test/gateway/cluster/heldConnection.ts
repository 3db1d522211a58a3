import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { Socket } from 'node:net';
import { openRaw } from '../helpers.js';

/** The worker processes of a `serve --workers N` primary (its children), from /proc. */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** `127.0.0.1:8080` as /proc/net/tcp writes it: `0100007F:1F90`. */
function procAddress(ip: string, port: number): string {
  const hex = ip
    .split('.')
    .reverse()
    .map((b) => Number(b).toString(16).padStart(2, '0'))
    .join('');
  return `${hex}:${port.toString(16).padStart(4, '0')}`.toUpperCase();
}

/**
 * Which of `pids` holds the server's end of the connection from `client` to 127.0.0.1:`port`:
 * its socket inode in /proc/net/tcp, looked for among each process's open files.
 */
export function ownerOf(port: number, client: { ip: string; port: number }, pids: readonly number[]): number | null {
  return ownersOf(port, [client], pids)[0] ?? null;
}

/** ownerOf for many clients, reading /proc once: null for a connection no process of `pids` holds (yet). */
export function ownersOf(
  port: number,
  clients: ReadonlyArray<{ ip: string; port: number }>,
  pids: readonly number[],
): Array<number | null> {
  const local = procAddress('127.0.0.1', port);
  const inodeOf = new Map<string, string>();
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[1] === local && f[2] !== undefined && f[9] !== undefined) inodeOf.set(f[2], f[9]);
  }
  const pidOf = new Map<string, number>();
  for (const pid of pids) {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        if (target.startsWith('socket:[')) pidOf.set(target.slice(8, -1), pid);
      } catch {
        // closed meanwhile
      }
    }
  }
  return clients.map((client) => {
    const inode = inodeOf.get(procAddress(client.ip, client.port));
    return inode === undefined ? null : (pidOf.get(inode) ?? null);
  });
}

/** A keep-alive connection that sends one GET at a time: answered (200), or dropped unanswered. */
export class HeldConnection {
  readonly socket: Socket;
  #buffered = '';
  #waiting: ((outcome: 'answered' | 'dropped') => void) | null = null;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (d: Buffer) => {
      this.#buffered += d.toString('latin1');
      const end = this.#buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(this.#buffered.slice(0, end))?.[1] ?? 0);
      if (this.#buffered.length < end + 4 + length) return;
      const ok = this.#buffered.startsWith('HTTP/1.1 200');
      this.#buffered = this.#buffered.slice(end + 4 + length);
      this.#settle(ok ? 'answered' : 'dropped');
    });
    socket.on('error', () => {});
    socket.on('close', () => this.#settle('dropped'));
  }

  static async open(port: number, ip: string): Promise<HeldConnection> {
    return new HeldConnection(await openRaw(port, ip));
  }

  get(): Promise<'answered' | 'dropped'> {
    if (this.socket.destroyed) return Promise.resolve('dropped');
    return new Promise((resolve) => {
      this.#waiting = resolve;
      this.socket.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
    });
  }

  #settle(outcome: 'answered' | 'dropped'): void {
    const waiting = this.#waiting;
    this.#waiting = null;
    waiting?.(outcome);
  }
}
