import type { NetworkFinding } from '../../detect/finding.js';
import { type NetworkRuleId, type NetworkSettings, networkFinding } from '../../detect/network/networkRules.js';
import type { Endpoint } from '../../observe/observation.js';
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
 * once however often it is retransmitted (the analyzers read the one reassembly).
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

  /**
   * Events the analyzers read off the bytes `server` sent `client` (from `start` on), at
   * `offset` in that stream: a reply is counted once, however often it was retransmitted (the
   * reassembly reads each byte once, and the offset tells replies apart).
   */
  replies(
    server: Endpoint,
    client: Endpoint,
    events: readonly ProtocolEvent[],
    start: number,
    offset: number,
    timeMs: number,
  ): NetworkFinding | null {
    for (let i = start; i < events.length; i++) {
      const service = failedLogin(events[i] as ProtocolEvent);
      if (service !== null) return this.#failure(service, server, client, offset, timeMs);
    }
    return null;
  }

  #failure(
    service: Service,
    server: Endpoint,
    client: Endpoint,
    offset: number,
    timeMs: number,
  ): NetworkFinding | null {
    const key = `${service.ruleId} ${client.ip} ${server.ip}`;
    const burst = this.#bursts.count(key, timeMs, `${client.port} ${offset}`);
    if (burst === null) return null;
    return networkFinding(service.ruleId, this.#bursts.settings, {
      time: timeMs,
      source: client,
      destination: server,
      transport: 'tcp',
      evidence: `${burst.count} ${service.noun} at ${server.ip}:${server.port} within ${burst.seconds} s`,
    });
  }
}
