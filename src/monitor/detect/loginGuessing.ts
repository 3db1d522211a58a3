import type { LeakyBuckets } from '../../detect/behaviour/leakyBucket.js';
import { u32 } from '../decode/bytes.js';
import type { DecodedPacket } from '../decode/packet.js';
import { startsWithText } from '../protocols/textLines.js';
import { countBuckets } from './countBuckets.js';
import type { NetworkAlert } from './networkAlert.js';
import type { Thresholds } from './thresholds.js';

/**
 * Password guessing against services that answer in clear text: the server's own "login
 * failed" reply, counted per client and server — FTP's 530 (not logged in), SMTP's 535
 * (authentication credentials invalid, RFC 4954), POP3's `-ERR [AUTH]` (RFC 3206) and IMAP's
 * `NO [AUTHENTICATIONFAILED]` (RFC 5530), what vsftpd, proftpd, Postfix SASL and Dovecot
 * answer where fail2ban's filters read their logs — and the databases' own, sent before any
 * TLS: MySQL's error 1045 (access denied) and PostgreSQL's SQLSTATE 28P01 (invalid password).
 * A leaky bucket per pair; a reply's segment is counted once however often it is retransmitted.
 */
interface Service {
  readonly ports: readonly number[];
  /** The reply says the login failed. */
  readonly failed: (reply: Uint8Array) => boolean;
  readonly threatId: 'ftp-brute-force' | 'smtp-auth-brute-force' | 'mailbox-brute-force' | 'database-brute-force';
  readonly ruleId: string;
  readonly ruleName: string;
  readonly noun: string;
  readonly tag: string;
}

const SERVICES: readonly Service[] = [
  {
    ports: [21],
    failed: (b) => isCodeReply(b, '530'),
    threatId: 'ftp-brute-force',
    ruleId: 'monitor-ftp-brute-force',
    ruleName: 'Many failed FTP logins from one source at one server (password guessing)',
    noun: 'failed FTP logins (530)',
    tag: 'ftp',
  },
  {
    ports: [25, 587],
    failed: (b) => isCodeReply(b, '535'),
    threatId: 'smtp-auth-brute-force',
    ruleId: 'monitor-smtp-auth-brute-force',
    ruleName: 'Many failed SMTP AUTH attempts from one source at one server (password guessing)',
    noun: 'failed SMTP AUTH attempts (535)',
    tag: 'smtp',
  },
  {
    ports: [110],
    failed: (b) => startsWithText(b, 0, '-ERR [AUTH]'),
    threatId: 'mailbox-brute-force',
    ruleId: 'monitor-pop3-brute-force',
    ruleName: 'Many failed POP3 logins from one source at one server (password guessing)',
    noun: 'failed POP3 logins (-ERR [AUTH])',
    tag: 'pop3',
  },
  {
    ports: [143],
    failed: isImapAuthenticationFailure,
    threatId: 'mailbox-brute-force',
    ruleId: 'monitor-imap-brute-force',
    ruleName: 'Many failed IMAP logins from one source at one server (password guessing)',
    noun: 'failed IMAP logins (NO [AUTHENTICATIONFAILED])',
    tag: 'imap',
  },
  {
    ports: [3306],
    failed: isMysqlAccessDenied,
    threatId: 'database-brute-force',
    ruleId: 'monitor-mysql-brute-force',
    ruleName: 'Many failed MySQL logins from one source at one server (password guessing)',
    noun: 'failed MySQL logins (error 1045)',
    tag: 'mysql',
  },
  {
    ports: [5432],
    failed: isPostgresInvalidPassword,
    threatId: 'database-brute-force',
    ruleId: 'monitor-postgresql-brute-force',
    ruleName: 'Many failed PostgreSQL logins from one source at one server (password guessing)',
    noun: 'failed PostgreSQL logins (28P01)',
    tag: 'postgresql',
  },
];

const BY_PORT = new Map(SERVICES.flatMap((s) => s.ports.map((p) => [p, s] as const)));

export class LoginGuessingDetector {
  readonly #buckets: LeakyBuckets<number>;

  constructor(t: Thresholds['loginGuessing'], maxPairs = 50_000) {
    this.#buckets = countBuckets(t, t.failures, maxPairs);
  }

  packet(p: DecodedPacket, timeMs: number): NetworkAlert | null {
    const t = p.transport;
    if (t.kind !== 'tcp' || !p.ip || p.payload.length < 4) return null;
    const service = BY_PORT.get(t.tcp.sourcePort);
    if (service === undefined || !service.failed(p.payload)) return null;
    // The reply goes from the server to the client who guessed.
    const { source: server, destination: client } = p.ip;
    const serverPort = t.tcp.sourcePort;
    const key = `${service.ruleId} ${client} ${server}`;
    const times = this.#buckets.pour(key, timeMs, timeMs, `${t.tcp.destinationPort} ${t.tcp.seq}`);
    if (times === null) return null;
    const seconds = Math.round((timeMs - (times[0] as number)) / 1000);
    return {
      threatId: service.threatId,
      ruleId: service.ruleId,
      ruleName: service.ruleName,
      time: timeMs,
      source: { ip: client, port: t.tcp.destinationPort },
      destination: { ip: server, port: serverPort },
      transport: 'tcp',
      evidence: `${times.length} ${service.noun} at ${server}:${serverPort} within ${seconds} s`,
      tags: ['bruteforce', service.tag],
    };
  }
}

/** A reply line with `code` and then a blank or `-` (a multiline reply's first line). */
function isCodeReply(b: Uint8Array, code: string): boolean {
  return startsWithText(b, 0, code) && (b[3] === 0x20 || b[3] === 0x2d);
}

/** A tagged `<tag> NO [AUTHENTICATIONFAILED]` line (the segment's first, as a LOGIN answer comes alone). */
function isImapAuthenticationFailure(b: Uint8Array): boolean {
  const blank = b.indexOf(0x20);
  return blank > 0 && b[0] !== 0x2a && startsWithText(b, blank + 1, 'NO [AUTHENTICATIONFAILED]');
}

/** A MySQL/MariaDB ERR packet (header, 0xFF) with code 1045, ER_ACCESS_DENIED_ERROR. */
function isMysqlAccessDenied(b: Uint8Array): boolean {
  return b.length >= 7 && b[4] === 0xff && ((b[5] as number) | ((b[6] as number) << 8)) === 1045;
}

/**
 * A PostgreSQL ErrorResponse ('E') among the segment's messages (it may follow an
 * Authentication message) whose fields hold the code 28P01: `C28P01` then NUL.
 */
function isPostgresInvalidPassword(b: Uint8Array): boolean {
  for (let at = 0, messages = 0; at + 5 <= b.length && messages < 8; messages++) {
    const length = u32(b, at + 1);
    if (length < 4) return false;
    if (b[at] === 0x45) return hasField(b, at + 5, Math.min(b.length, at + 1 + length), 0x43, '28P01');
    at += 1 + length;
  }
  return false;
}

/** Whether the NUL-terminated fields from `at` to `end` hold field `type` with exactly `value`. */
function hasField(b: Uint8Array, at: number, end: number, type: number, value: string): boolean {
  for (let field = at; field < end && b[field] !== 0; ) {
    if (b[field] === type) return startsWithText(b, field + 1, value) && b[field + 1 + value.length] === 0;
    const nul = b.indexOf(0, field + 1);
    if (nul < 0) return false;
    field = nul + 1;
  }
  return false;
}
