import { worstFinding } from '../detect/finding.js';
import type { Match } from '../detect/types.js';
import type { HttpRequest } from '../observe/observation.js';
import { speakableHost } from './abuserText.js';

/** Ports a CONNECT to which gets a mail server: SMTP, submissions, submission. */
export const MAIL_PORTS: ReadonlySet<number> = new Set([25, 465, 587]);

/** IRC ports: 6660–6669, TLS 6697, 7000, and 5555–5559 (PrettyPark's irc.stealth.net:5558). */
export function isIrcPort(port: number): boolean {
  return (port >= 6660 && port <= 6669) || (port >= 5555 && port <= 5559) || port === 6697 || port === 7000;
}

/**
 * What the honeypot plays for one refused request:
 * - a tunnel (`CONNECT`): `200 Connection established`, then a mail server, an IRC server, or
 *   silence that records the first bytes;
 * - an answer (absolute-form request, proxy-judge script): an azenv-style echo that shows an
 *   elite open proxy, or an IRC server's first words relayed as an HTTP/0.9-style body.
 */
export type PlayAlong =
  | {
      readonly kind: 'tunnel';
      readonly service: 'smtp' | 'irc' | 'silent';
      readonly requested: string;
      readonly host: string;
      readonly port: number;
      /** The host as the honeypot names itself (banner, IRC prefix). */
      readonly serverName: string;
      /** The match that put the request here: its threat names the session. */
      readonly reason: Match;
    }
  | {
      readonly kind: 'answer';
      readonly service: 'proxy-judge' | 'irc-probe';
      readonly requested: string;
      readonly host: string;
      readonly port: number;
      readonly serverName: string;
      readonly reason: Match;
    };

/** Methods an open proxy relays in absolute form; others keep their refusal. */
const RELAYED_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST']);

/**
 * What to play for a request the gateway refused, or null (the refusal stands). The honeypot
 * only ever plays an open proxy: a `CONNECT`, an absolute-form request, a proxy-judge script —
 * and only when a match names one of the `wanted` threats or rules. Anything else, legitimate
 * traffic above all, never meets it.
 */
export function playAlongFor(
  request: HttpRequest,
  matches: readonly Match[],
  wanted: ReadonlySet<string>,
): PlayAlong | null {
  const reason = worstFinding(matches.filter((m) => wanted.has(m.threatId) || wanted.has(m.ruleId)));
  if (reason === undefined) return null;
  const method = request.method.toUpperCase();
  const a = request.authority;
  if (method === 'CONNECT') {
    if (a === null || request.form !== 'authority') return null;
    const port = a.port ?? 443;
    const service = MAIL_PORTS.has(port) ? 'smtp' : isIrcPort(port) ? 'irc' : 'silent';
    return {
      kind: 'tunnel',
      service,
      requested: `${a.host.includes(':') ? `[${a.host}]` : a.host}:${port}`,
      host: a.host,
      port,
      serverName: speakableHost(a.host, 'mail'),
      reason,
    };
  }
  if (!RELAYED_METHODS.has(method) || request.malformed !== null) return null;
  if (request.form === 'absolute' && a !== null) {
    const port = a.port ?? (request.target.slice(0, 6).toLowerCase() === 'https:' ? 443 : 80);
    const service = isIrcPort(port) ? 'irc-probe' : 'proxy-judge';
    return {
      kind: 'answer',
      service,
      requested: request.target,
      host: a.host,
      port,
      serverName: speakableHost(a.host),
      reason,
    };
  }
  // A judge script asked of this site itself: answered as the judge it looks for.
  if (request.form === 'origin' && reason.threatId === 'proxy-judge') {
    const host = request.headers.find(([n]) => n === 'host')?.[1] ?? 'localhost';
    return {
      kind: 'answer',
      service: 'proxy-judge',
      requested: request.target,
      host,
      port: 80,
      serverName: speakableHost(host),
      reason,
    };
  }
  return null;
}
