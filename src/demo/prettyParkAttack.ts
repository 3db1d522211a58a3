import { connect, type Socket } from 'node:net';

/** The 2003 PrettyPark incident's requests, byte for byte (the 2003 incident's packet log): the proxy test, then the mail relay. */
export const PRETTYPARK_REQUESTS = [
  'GET http://irc.stealth.net:5558/ HTTP/1.1\r\nHost: irc.stealth.net:5558\r\n\r\n',
  'CONNECT maila.microsoft.com:25 / HTTP/1.0\r\n\r\n',
  'CONNECT maila.microsoft.com:25 / HTTP/1.0\r\n\r\n',
  'CONNECT maila.microsoft.com:25 / HTTP/1.0\r\n\r\n',
] as const;

/** How one connection of the replay ended, as the attacker saw it. */
export type AttackOutcome =
  | { kind: 'answered'; statusLine: string; closedBy: 'fin' | 'reset' | 'open' }
  | { kind: 'closed-without-answer'; closedBy: 'fin' | 'reset' }
  | { kind: 'refused'; error: string };

export interface AttackStep {
  readonly request: string;
  readonly outcome: AttackOutcome;
}

/**
 * Replay the seed's attack against `host:port` from `from` (a loopback address such as
 * 127.0.0.2), one new connection per request, as the worm did. Each step waits for the
 * connection to end (or `deadlineMs`) before the next begins.
 */
export async function replayPrettyParkAttack(
  host: string,
  port: number,
  from: string,
  deadlineMs = 5000,
): Promise<AttackStep[]> {
  const steps: AttackStep[] = [];
  for (const request of PRETTYPARK_REQUESTS) {
    steps.push({
      request: request.split('\r\n')[0] as string,
      outcome: await sendOnce(host, port, from, request, deadlineMs),
    });
  }
  return steps;
}

function sendOnce(host: string, port: number, from: string, bytes: string, deadlineMs: number): Promise<AttackOutcome> {
  return new Promise((resolve) => {
    const socket: Socket = connect({ host, port, localAddress: from });
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (closedBy: 'fin' | 'reset' | 'open') => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      if (text === '') {
        resolve(
          closedBy === 'open'
            ? { kind: 'refused', error: 'no answer before the deadline' }
            : { kind: 'closed-without-answer', closedBy },
        );
      } else {
        resolve({ kind: 'answered', statusLine: text.split('\r\n')[0] as string, closedBy });
      }
    };
    const timer = setTimeout(() => finish('open'), deadlineMs);
    socket.on('connect', () => socket.write(bytes, 'latin1'));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => finish('fin'));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') finish('reset');
      else if (!settled) {
        settled = true;
        clearTimeout(timer);
        resolve({ kind: 'refused', error: err.code ?? err.message });
      }
    });
  });
}

/** One line per step, for people: what was sent and what came back. */
export function describeStep(step: AttackStep): string {
  const o = step.outcome;
  const what =
    o.kind === 'answered'
      ? `answered "${o.statusLine}", then ${o.closedBy === 'fin' ? 'closed (FIN)' : o.closedBy === 'reset' ? 'reset' : 'left open'}`
      : o.kind === 'closed-without-answer'
        ? `closed without an answer (${o.closedBy === 'fin' ? 'FIN' : 'reset'}): the source is banned`
        : `could not connect: ${o.error}`;
  return `${step.request.padEnd(44)} → ${what}`;
}
