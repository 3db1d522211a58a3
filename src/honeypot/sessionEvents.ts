import { randomUUID } from 'node:crypto';
import { detectionHeader, SEVERITY_NUMBER } from '../events/eventHeader.js';
import type { HoneypotRecord, SecurityEvent } from '../events/securityEvent.js';
import { decodeBytes, printable } from './abuserText.js';
import type { IrcFacts } from './ircDialogue.js';
import type { MailHeaders } from './mailHeaders.js';
import type { PlayAlong } from './playAlong.js';
import type { QuarantineResult } from './quarantine.js';
import type { ReceivedMessage } from './smtpDialogue.js';

/** Why a session ended, in the words its event uses. */
export type SessionEnd = 'answered' | 'quit' | 'closed' | 'idle' | 'lifetime' | 'budget' | 'limits' | 'shutdown';

/** What one honeypot session saw, filled in as it goes; it becomes the session's event at the end. */
export interface SessionFacts {
  /** Random, shared by the session's events. */
  readonly id: string;
  readonly start: number;
  readonly source: { readonly ip: string; readonly port: number };
  /** Where the abuser's connection really ended: this gateway. */
  readonly local: { readonly ip: string; readonly port: number };
  readonly play: PlayAlong;
  bytesIn: number;
  bytesOut: number;
  helo: string | null;
  readonly auth: Array<{ mechanism: string; username: string }>;
  messages: number;
  irc: IrcFacts | null;
  /** The first bytes of the tunnel (latin1), bounded. */
  firstBytes: string;
  /** The SNI of a TLS ClientHello among the first bytes. */
  serverName: string | null;
}

export function newSessionFacts(
  play: PlayAlong,
  source: SessionFacts['source'],
  local: SessionFacts['local'],
  now: number,
): SessionFacts {
  return {
    id: randomUUID(),
    start: now,
    source,
    local,
    play,
    bytesIn: 0,
    bytesOut: 0,
    helo: null,
    auth: [],
    messages: 0,
    irc: null,
    firstBytes: '',
    serverName: null,
  };
}

type ThreatName = (id: string) => string | undefined;

/** The session's event (sensor `honeypot`): what was asked for, what was said, how it ended. */
export function sessionEvent(f: SessionFacts, end: SessionEnd, now: number, threatName: ThreatName): SecurityEvent {
  const record: HoneypotRecord = {
    ...recordBase(f),
    bytes_in: f.bytesIn,
    bytes_out: f.bytesOut,
    end,
    ...(f.helo !== null ? { helo: f.helo } : {}),
    ...(f.auth.length > 0 ? { auth: f.auth } : {}),
    ...(f.play.service === 'smtp' ? { messages: f.messages } : {}),
    ...(f.irc !== null ? { irc: f.irc } : {}),
    ...(f.firstBytes !== '' ? { first_bytes: printable(f.firstBytes, 512) } : {}),
  };
  const event = base(f, f.id, now, threatName, record, summary(f));
  event.event.start = new Date(f.start).toISOString();
  event.event.end = new Date(now).toISOString();
  if (f.serverName !== null) event.tls = { client: { server_name: f.serverName } };
  return event;
}

/** A message the honeypot took (and never delivered): ECS `email.*`, linked to its quarantine file. */
export function messageEvent(
  f: SessionFacts,
  message: ReceivedMessage,
  headers: MailHeaders,
  kept: QuarantineResult,
  now: number,
  threatName: ThreatName,
): SecurityEvent {
  const quarantine: HoneypotRecord['quarantine'] =
    kept.kind === 'stored'
      ? { file: kept.file, bytes: kept.bytes, sha256: kept.sha256, truncated: message.cut }
      : { refused: kept.kind === 'full' ? 'quarantine full' : `write failed: ${kept.code}` };
  const from = decodeBytes(message.from, 254);
  const to = message.to.map((t) => decodeBytes(t, 254));
  const subject = headers.subject === null ? '' : ` "${headers.subject.slice(0, 80)}"`;
  const text = `message from <${from}> to ${to.map((t) => `<${t}>`).join(', ')}${subject}, kept as ${kept.id}, never delivered`;
  const event = base(f, randomUUID(), now, threatName, { ...recordBase(f), helo: message.helo, quarantine }, text);
  event.event.category = ['email', ...event.event.category];
  event.email = {
    direction: 'inbound',
    from: { address: [from] },
    to: { address: to },
    local_id: kept.id,
    ...(headers.subject !== null ? { subject: headers.subject } : {}),
    ...(headers.messageId !== null ? { message_id: headers.messageId } : {}),
    ...(headers.xMailer !== null ? { x_mailer: headers.xMailer } : {}),
  };
  return event;
}

function recordBase(f: SessionFacts): HoneypotRecord {
  return { session: f.id, service: f.play.service, requested: f.play.requested };
}

function base(
  f: SessionFacts,
  id: string,
  now: number,
  threatName: ThreatName,
  record: HoneypotRecord,
  what: string,
): SecurityEvent {
  const reason = f.play.reason;
  const name = threatName(reason.threatId) ?? reason.threatId;
  return {
    '@timestamp': new Date(now).toISOString(),
    message: `honeypot: ${f.play.service} for ${f.play.requested.slice(0, 120)} from ${f.source.ip} (${name}): ${what}`,
    event: detectionHeader({
      id,
      kind: 'alert',
      action: 'detected',
      sensor: 'honeypot',
      severity: SEVERITY_NUMBER[reason.severity],
    }),
    source: { ip: f.source.ip, port: f.source.port },
    destination: { ip: f.local.ip, port: f.play.port, domain: f.play.host },
    network: { transport: 'tcp', protocol: PROTOCOL[f.play.service] },
    ...(f.play.kind === 'answer' ? { url: { original: f.play.requested } } : {}),
    rule: { id: reason.ruleId, name: reason.ruleName, ruleset: 'bansho', category: reason.tags[0] ?? reason.threatId },
    threat: { software: { id: reason.threatId, name } },
    bansho: {
      sensor: 'honeypot',
      evidence: `${f.play.kind === 'tunnel' ? 'CONNECT ' : ''}${f.play.requested.slice(0, 512)}`,
      honeypot: record,
    },
  };
}

const PROTOCOL: Readonly<Record<PlayAlong['service'], string>> = {
  smtp: 'smtp',
  irc: 'irc',
  silent: 'tcp',
  'proxy-judge': 'http',
  'irc-probe': 'irc',
};

function summary(f: SessionFacts): string {
  switch (f.play.service) {
    case 'smtp':
      return `${f.messages} message${f.messages === 1 ? '' : 's'} taken, none delivered`;
    case 'irc':
    case 'irc-probe': {
      const irc = f.irc;
      if (irc === null) return 'no IRC registration';
      return `nick ${irc.nick ?? '-'}, channels ${irc.channels.join(' ') || '-'}, ${irc.messages.length} message(s)`;
    }
    case 'proxy-judge':
      return 'answered as an elite open proxy';
    case 'silent':
      return f.serverName !== null ? `TLS for ${f.serverName}` : `${f.bytesIn} byte(s), nothing answered`;
  }
}
