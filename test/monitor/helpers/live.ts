import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { CaptureParser } from '../../../src/monitor/capture/captureParser.js';
import { DEFAULT_BUFFER_KIB, droppedByKernel } from '../../../src/monitor/capture/live.js';
import { decodePacket } from '../../../src/monitor/decode/packet.js';
import { type CliResult, bansho as runBansho } from '../../cli/run.js';

/** Why live capture cannot be tested here, or null when it can. */
export function captureUnavailable(): string | null {
  if (spawnSync('tcpdump', ['--version'], { stdio: 'ignore' }).error) return 'tcpdump not installed';
  if (spawnSync('tshark', ['-v'], { stdio: 'ignore' }).error) return 'tshark not installed';
  const probe = spawnSync('tcpdump', ['-i', 'lo', '-c', '1', '-w', '/dev/null', 'tcp port 9 and host 127.0.0.254'], {
    encoding: 'utf8',
    timeout: 1500,
  });
  if (/permission|not permitted/i.test(probe.stderr ?? ''))
    return 'capture on lo not permitted (needs root or CAP_NET_RAW)';
  return null;
}

const MARKER_PORT = 9;

/**
 * tcpdump writing `file`, resolved once it reports it is listening. `stop()` first sends a UDP
 * marker to `host` (the filter lets it through) and waits until the marker is in the file, so
 * every packet before it has been written when tcpdump is told to stop. The capture buffer is
 * the one `bansho monitor -i` uses (libpcap's default held about 30 loopback frames, and a
 * loaded machine lost packets); a capture the kernel still dropped packets from is an error,
 * not a silently shorter file.
 */
export async function startTcpdump(file: string, filter: string, host: string): Promise<{ stop(): Promise<void> }> {
  const full = `(${filter}) or (udp port ${MARKER_PORT} and host ${host})`;
  const args = ['-i', 'lo', '--immediate-mode', '-U', '-B', String(DEFAULT_BUFFER_KIB), '-w', file, full];
  const child = spawn('tcpdump', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = await waitForOutput(child, /listening on/, 10_000);
  child.stderr?.on('data', (d: string) => (stderr += d));
  return {
    async stop() {
      const socket = createSocket('udp4');
      const deadline = Date.now() + 10_000;
      try {
        while (!markerWritten(file)) {
          if (Date.now() > deadline) throw new Error('tcpdump never wrote the marker datagram');
          await new Promise<void>((resolve) => socket.send('marker', MARKER_PORT, host, () => resolve()));
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      } finally {
        socket.close();
        const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
        child.kill('SIGINT');
        await closed;
      }
      const dropped = droppedByKernel(stderr);
      if (dropped > 0) throw new Error(`the kernel dropped ${dropped} packets before tcpdump read them`);
    },
  };
}

function markerWritten(file: string): boolean {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return false;
  }
  let found = false;
  const parser = new CaptureParser();
  try {
    parser.push(bytes, (f) => {
      const p = decodePacket(f);
      if (p.transport.kind === 'udp' && p.transport.udp.destinationPort === MARKER_PORT) found = true;
    });
  } catch {
    return false;
  }
  return found;
}

export function waitForOutput(child: ChildProcess, pattern: RegExp, deadlineMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${deadlineMs} ms: ${text}`)), deadlineMs);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (d: string) => {
      text += d;
      if (pattern.test(text)) {
        clearTimeout(timer);
        resolve(text);
      }
    });
    child.once('close', () => {
      clearTimeout(timer);
      reject(new Error(`exited before ${pattern}: ${text}`));
    });
  });
}

/** Connect from `from`, send `bytes`, read until the server closes; resolves with the response. */
export function sendAndClose(host: string, port: number, from: string, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket: Socket = connect({ host, port, localAddress: from }, () => socket.write(bytes));
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('end', () => socket.end());
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('error', reject);
  });
}

/** Run the real CLI (`bansho …` from the sources) and collect its output. */
export function bansho(args: string[], stdin?: Uint8Array): Promise<CliResult> {
  return runBansho(args, { timeoutMs: 120_000, ...(stdin ? { stdin } : {}) });
}

export function lines(text: string): string[] {
  return text.split('\n').filter((l) => l !== '');
}

export const SEED_GET = 'GET http://irc.stealth.net:5558/ HTTP/1.1\r\nHost: irc.stealth.net:5558\r\n\r\n';
export const SEED_CONNECT = 'CONNECT maila.microsoft.com:25 / HTTP/1.0\r\n\r\n';
export const ATTACKER = '127.0.0.2';
