import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseDuration } from '../config/duration.js';
import { decodeBytes, terminalSafe } from '../honeypot/abuserText.js';
import { type SessionView, sessionGist, sessionsOf } from '../honeypot/sessionView.js';
import { openSqlite, SqliteEventStore } from '../store/index.js';
import { dbOption } from './storeOption.js';

export class HoneypotCliError extends Error {
  readonly code = 'E_HONEYPOT_CLI';
}

interface ListFlags {
  db: string;
  json?: boolean;
  source?: string;
  since: string;
}

interface ShowFlags {
  db: string;
  json?: boolean;
  since: string;
  message?: boolean;
}

/** `bansho honeypot list | show ID`: the sessions play-along recorded (see README, "The honeypot"). */
export function register(program: Command): void {
  const honeypot = program.command('honeypot').description('what abusers asked the honeypot for, and what they sent');

  honeypot
    .command('list')
    .description('sessions: source, what it asked for, envelope and subject, IRC nick and channels')
    .addOption(dbOption())
    .option('--source <ip>', 'only this source')
    .option('--since <duration>', 'how far back, e.g. 24h, 30d', '30d')
    .option('--json', 'one JSON object per session and line')
    .action((flags: ListFlags) => {
      const sessions = readSessions(flags.db, flags.since, flags.source);
      if (flags.json) {
        for (const s of sessions) process.stdout.write(`${JSON.stringify(s)}\n`);
        return;
      }
      if (sessions.length === 0) {
        process.stdout.write('no honeypot sessions\n');
        return;
      }
      const rows = sessions.map((s) => [
        s.id.slice(0, 8),
        s.start.replace(/\.\d+Z$/, 'Z'),
        s.source,
        s.threat,
        s.service,
        s.requested,
        sessionGist(s),
      ]);
      printTable(['ID', 'START', 'SOURCE', 'THREAT', 'SERVICE', 'ASKED FOR', 'WHAT'], rows);
    });

  honeypot
    .command('show <id>')
    .description('one session in full (ID or its first characters), with its quarantined messages')
    .addOption(dbOption())
    .option('--since <duration>', 'how far back to look', '365d')
    .option('--message', 'print each quarantined message too (control characters escaped)')
    .option('--json', 'the session as JSON')
    .action((id: string, flags: ShowFlags) => {
      const s = findSession(readSessions(flags.db, flags.since), id);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
        return;
      }
      process.stdout.write(describe(s));
      if (flags.message)
        for (const m of s.messages) {
          if (m.file === null) continue;
          const text = decodeBytes(readFileSync(m.file, 'latin1'), 1_000_000);
          const lines = text.split('\n').map((l) => terminalSafe(l.replace(/\r$/, '')));
          process.stdout.write(`\n--- ${m.file}\n${lines.join('\n')}\n`);
        }
    });
}

function readSessions(db: string, since: string, source?: string): SessionView[] {
  const store = new SqliteEventStore(openSqlite(db));
  try {
    const events = store.querySync({
      since: Date.now() - parseDuration(since),
      actions: ['detected'],
      ...(source !== undefined ? { sourceIp: source } : {}),
    });
    return sessionsOf(events);
  } finally {
    void store.close();
  }
}

function findSession(sessions: readonly SessionView[], id: string): SessionView {
  if (id.length < 4) throw new HoneypotCliError(`session id "${id}": give at least 4 characters`);
  const found = sessions.filter((s) => s.id.startsWith(id.toLowerCase()));
  if (found.length === 0) throw new HoneypotCliError(`no honeypot session ${id}`);
  if (found.length > 1)
    throw new HoneypotCliError(`session id "${id}" is ambiguous: ${found.map((s) => s.id).join(', ')}`);
  return found[0] as SessionView;
}

function describe(s: SessionView): string {
  const lines: Array<[string, string | null]> = [
    ['session', s.id],
    ['start', s.start],
    ['source', s.source],
    ['threat', `${s.threatName} (${s.threat})`],
    ['asked for', `${s.requested} (${s.service})`],
    ['ended', s.end ?? 'still open'],
    ['bytes', s.bytesIn === null ? null : `${s.bytesIn} in, ${s.bytesOut ?? 0} out`],
    ['HELO', s.helo],
    ['AUTH', s.auth.length > 0 ? s.auth.map((a) => `${a.mechanism} ${a.username}`).join('; ') : null],
    ['IRC nick', s.irc ? `${s.irc.nick ?? '-'} (user ${s.irc.user ?? '-'}, "${s.irc.realname ?? ''}")` : null],
    ['IRC channels', s.irc && s.irc.channels.length > 0 ? s.irc.channels.join(' ') : null],
    ['TLS SNI', s.serverName],
    ['first bytes', s.firstBytes],
  ];
  let out = '';
  for (const [k, v] of lines) if (v !== null) out += `${k.padEnd(13)}${terminalSafe(v)}\n`;
  for (const m of s.irc?.messages ?? [])
    out += `${'IRC message'.padEnd(13)}${terminalSafe(`${m.target}: ${m.text}`)}\n`;
  s.messages.forEach((m, i) => {
    out += `\nmessage ${i + 1}${m.queueId !== null ? ` (queued as ${m.queueId}, never delivered)` : ''}\n`;
    const rows: Array<[string, string | null]> = [
      ['from', m.from.join(', ')],
      ['to', m.to.join(', ')],
      ['subject', m.subject],
      ['message-id', m.messageId],
      ['kept in', m.file === null ? null : `${m.file} (${m.bytes} bytes)`],
      ['not kept', m.refused],
    ];
    for (const [k, v] of rows) if (v !== null) out += `  ${k.padEnd(11)}${terminalSafe(v)}\n`;
  });
  return out;
}

function printTable(header: string[], rows: string[][]): void {
  const safe = rows.map((r) => r.map((c) => terminalSafe(c)));
  const widths = header.map((h, i) => Math.max(h.length, ...safe.map((r) => Math.min(60, (r[i] ?? '').length))));
  const line = (cells: string[]) =>
    `${cells
      .map((c, i) => (i === cells.length - 1 ? c : c.slice(0, 60).padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd()}\n`;
  process.stdout.write(line(header));
  for (const r of safe) process.stdout.write(line(r));
}
