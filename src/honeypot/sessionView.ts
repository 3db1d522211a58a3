import type { HoneypotRecord, SecurityEvent } from '../events/securityEvent.js';

/** One message of a session, as `bansho honeypot show` tells it. */
export interface MessageView {
  readonly time: string;
  readonly queueId: string | null;
  readonly from: readonly string[];
  readonly to: readonly string[];
  readonly subject: string | null;
  readonly messageId: string | null;
  /** The quarantine file, or why the message was not kept. */
  readonly file: string | null;
  readonly bytes: number | null;
  readonly refused: string | null;
}

/** One honeypot session, put together from its events (the session's own and its messages'). */
export interface SessionView {
  readonly id: string;
  readonly start: string;
  readonly source: string;
  readonly threat: string;
  readonly threatName: string;
  readonly service: HoneypotRecord['service'];
  readonly requested: string;
  /** Why it ended; null while it is still open (only its messages are stored so far). */
  readonly end: string | null;
  readonly bytesIn: number | null;
  readonly bytesOut: number | null;
  readonly helo: string | null;
  readonly auth: NonNullable<HoneypotRecord['auth']>;
  readonly irc: HoneypotRecord['irc'] | null;
  readonly serverName: string | null;
  readonly firstBytes: string | null;
  readonly messages: readonly MessageView[];
}

/** The honeypot's sessions among `events` (any others are ignored), oldest first. */
export function sessionsOf(events: readonly SecurityEvent[]): SessionView[] {
  const sessions = new Map<
    string,
    { session: SecurityEvent | null; messages: SecurityEvent[]; first: SecurityEvent }
  >();
  for (const e of events) {
    const h = e.bansho.honeypot;
    if (e.bansho.sensor !== 'honeypot' || h === undefined) continue;
    let s = sessions.get(h.session);
    if (s === undefined) {
      s = { session: null, messages: [], first: e };
      sessions.set(h.session, s);
    }
    if (e.email !== undefined) s.messages.push(e);
    else s.session = e;
  }
  return [...sessions.entries()]
    .map(([id, s]) => view(id, s.session, s.messages, s.first))
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
}

function view(id: string, session: SecurityEvent | null, messages: SecurityEvent[], first: SecurityEvent): SessionView {
  const e = session ?? first;
  const h = e.bansho.honeypot as HoneypotRecord;
  return {
    id,
    start: e.event.start ?? e['@timestamp'],
    source: e.source.ip,
    threat: e.threat?.software?.id ?? '-',
    threatName: e.threat?.software?.name ?? '-',
    service: h.service,
    requested: h.requested,
    end: session === null ? null : (h.end ?? null),
    bytesIn: session === null ? null : (h.bytes_in ?? null),
    bytesOut: session === null ? null : (h.bytes_out ?? null),
    helo: h.helo ?? messages[0]?.bansho.honeypot?.helo ?? null,
    auth: h.auth ?? [],
    irc: h.irc ?? null,
    serverName: e.tls?.client?.server_name ?? null,
    firstBytes: h.first_bytes ?? null,
    messages: messages
      .sort((a, b) => (a['@timestamp'] < b['@timestamp'] ? -1 : 1))
      .map((m): MessageView => {
        const q = m.bansho.honeypot?.quarantine;
        const kept = q !== undefined && 'file' in q ? q : null;
        return {
          time: m['@timestamp'],
          queueId: m.email?.local_id ?? null,
          from: m.email?.from?.address ?? [],
          to: m.email?.to?.address ?? [],
          subject: m.email?.subject ?? null,
          messageId: m.email?.message_id ?? null,
          file: kept?.file ?? null,
          bytes: kept?.bytes ?? null,
          refused: q !== undefined && 'refused' in q ? q.refused : null,
        };
      }),
  };
}

/** What a session was after, in a few words: envelope and subject, IRC nick and channels, the SNI. */
export function sessionGist(s: SessionView): string {
  switch (s.service) {
    case 'smtp': {
      if (s.messages.length === 0)
        return s.auth.length > 0 ? `AUTH as ${s.auth.map((a) => a.username).join(', ')}` : 'no message';
      const m = s.messages[0] as MessageView;
      const more = s.messages.length > 1 ? ` (+${s.messages.length - 1} more)` : '';
      const to = m.to.length > 2 ? `${m.to.slice(0, 2).join(', ')} +${m.to.length - 2}` : m.to.join(', ');
      return `${m.from[0] ?? ''} -> ${to}${m.subject !== null ? ` "${m.subject}"` : ''}${m.bytes !== null ? ` ${m.bytes} B` : ''}${more}`;
    }
    case 'irc':
    case 'irc-probe':
      return s.irc ? `nick ${s.irc.nick ?? '-'} ${s.irc.channels.join(' ')}`.trim() : 'no registration';
    case 'silent':
      return s.serverName !== null ? `TLS to ${s.serverName}` : (s.firstBytes ?? 'nothing sent').slice(0, 60);
    case 'proxy-judge':
      return 'told it is an elite open proxy';
  }
}
