import type { NetworkFinding } from '../../detect/finding.js';
import { type NetworkRuleId, type NetworkSettings, networkFinding } from '../../detect/network/networkRules.js';
import type { DecodedPacket } from '../decode/packet.js';
import type { ProtocolEvent } from '../protocols/events.js';
import { BurstCounter } from './burstCounter.js';

/**
 * Password guessing against services that answer in clear text: the server's own "login
 * failed" reply, as the protocol analyzers read it, counted per client and server — FTP's 530
 * (not logged in), SMTP's 535 (authentication credentials invalid, RFC 4954), POP3's
 * `-ERR [AUTH]` (RFC 3206) and IMAP's tagged `NO [AUTHENTICATIONFAILED]` (RFC 5530), what
 * vsftpd, proftpd, Postfix SASL and Dovecot answer where fail2ban's filters read their logs —
 * and the databases' own, sent before any TLS: MySQL's error 1045 (access denied) and
 * PostgreSQL's SQLSTATE 28P01 (invalid password). A leaky bucket per pair; a reply is counted
 * once however often it is retransmitted (the analyzers read no retransmission, and a segment
 * counts once).
 */
interface Service {
  readonly ruleId: NetworkRuleId;
  readonly noun: string;
}

const FTP: Service = { ruleId: 'monitor-ftp-brute-force', noun: 'failed FTP logins (530)' };
const SMTP: Service = { ruleId: 'monitor-smtp-auth-brute-force', noun: 'failed SMTP AUTH attempts (535)' };
const POP3: Service = { ruleId: 'monitor-pop3-brute-force', noun: 'failed POP3 logins (-ERR [AUTH])' };
const IMAP: Service = { ruleId: 'monitor-imap-brute-force', noun: 'failed IMAP logins (NO [AUTHENTICATIONFAILED])' };
const MYSQL: Service = { ruleId: 'monitor-mysql-brute-force', noun: 'failed MySQL logins (error 1045)' };
const POSTGRESQL: Service = { ruleId: 'monitor-postgresql-brute-force', noun: 'failed PostgreSQL logins (28P01)' };

/** The service whose login the event says failed, or null. */
function failedLogin(e: ProtocolEvent): Service | null {
  switch (e.kind) {
    case 'ftp_reply':
      return e.code === 530 ? FTP : null;
    case 'smtp_reply':
      return e.code === 535 ? SMTP : null;
    case 'pop3_reply':
      return !e.ok && e.code === 'AUTH' ? POP3 : null;
    case 'imap_tagged':
      return e.status === 'NO' && e.code === 'AUTHENTICATIONFAILED' ? IMAP : null;
    case 'mysql_error':
      return e.code === 1045 ? MYSQL : null;
    case 'pgsql_error':
      return e.code === '28P01' ? POSTGRESQL : null;
    default:
      return null;
  }
}

export class LoginGuessingDetector {
  readonly #bursts: BurstCounter;

  constructor(t: NetworkSettings['loginGuessing'], maxPairs = 50_000) {
    this.#bursts = new BurstCounter(t, t.failures, maxPairs);
  }

  /** The events the analyzers read off one TCP segment `p` (sent by the server to the client who guessed). */
  segment(p: DecodedPacket, events: readonly ProtocolEvent[], timeMs: number): NetworkFinding | null {
    const t = p.transport;
    if (t.kind !== 'tcp' || !p.ip) return null;
    for (const e of events) {
      const service = failedLogin(e);
      if (service !== null)
        return this.#failure(service, p.ip.source, t.tcp.sourcePort, p.ip.destination, t.tcp, timeMs);
    }
    return null;
  }

  #failure(
    service: Service,
    server: string,
    serverPort: number,
    client: string,
    tcp: { readonly destinationPort: number; readonly seq: number },
    timeMs: number,
  ): NetworkFinding | null {
    const key = `${service.ruleId} ${client} ${server}`;
    const burst = this.#bursts.count(key, timeMs, `${tcp.destinationPort} ${tcp.seq}`);
    if (burst === null) return null;
    return networkFinding(service.ruleId, this.#bursts.settings, {
      time: timeMs,
      source: { ip: client, port: tcp.destinationPort },
      destination: { ip: server, port: serverPort },
      transport: 'tcp',
      evidence: `${burst.count} ${service.noun} at ${server}:${serverPort} within ${burst.seconds} s`,
    });
  }
}
