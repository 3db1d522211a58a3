import { writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { Command } from 'commander';
import { type ContactOutcome, findContact } from '../abuse/contactLookup.js';
import { prepareReport } from '../abuse/prepareReport.js';
import type { AbuseAnswer } from '../abuse/rdap/abuseAnswer.js';
import { describeRange } from '../abuse/rdap/ipNetwork.js';
import type { AbuseReport } from '../abuse/report/abuseReport.js';
import { arfMessage } from '../abuse/report/arfMessage.js';
import { renderText } from '../abuse/report/reportText.js';
import { renderXarf } from '../abuse/report/xarf.js';
import { type SendOutcome, sendReport } from '../abuse/sendReport.js';
import { type AbuseWorkspace, openWorkspace } from '../abuse/workspace.js';
import { parseDuration } from '../config/duration.js';

interface AbuseFlags {
  config?: string;
  db?: string;
  rdapBootstrap?: string;
  format?: string;
  out?: string;
  send?: boolean;
  dryRun?: boolean;
  refresh?: boolean;
  lookup: boolean;
  window?: string;
  json?: boolean;
}

export class AbuseOptionError extends Error {
  readonly code = 'E_ABUSE_OPTION';
}

/** Exit status when RDAP answered but names no abuse contact (or no registry holds the address). */
const EXIT_NO_CONTACT = 2;

export function register(program: Command): void {
  program
    .command('abuse <ip>')
    .description(
      "find an address's abuse contact by RDAP; write (--format) or send (--send) a report with the evidence",
    )
    .option('--config <file>', "the site's config file: its abuse section, and the addresses to keep out of reports")
    .option('--db <file>', "SQLite database (default: the config's db, else ./bansho.db)")
    .option('--rdap-bootstrap <url>', "an RDAP bootstrap file to use instead of IANA's")
    .option('--format <text|xarf|mime>', 'write the report: plain text, X-ARF 0.2 JSON, or an ARF (RFC 5965) message')
    .option('--out <file>', 'write the report to a file instead of standard output')
    .option('--send', 'send the report (ARF message) to the abuse contact through abuse.smtp; events are reported once')
    .option('--dry-run', 'show what --send would send, and to whom, without sending')
    .option('--refresh', 'ask the registry again even when its answer is cached')
    .option('--no-lookup', 'use the cached abuse contact only: no network')
    .option('--window <span>', "how far back to look for the source's events (default abuse.window, 30d)")
    .option('--json', 'the contact as JSON (without --format)')
    .action(async (ip: string, flags: AbuseFlags) => {
      process.exitCode = await runAbuse(ip, flags);
    });
}

async function runAbuse(ip: string, flags: AbuseFlags): Promise<number> {
  if (isIP(ip) === 0) throw new AbuseOptionError(`not an IP address: ${ip}`);
  if (flags.format !== undefined && !['text', 'xarf', 'mime'].includes(flags.format))
    throw new AbuseOptionError(`--format must be text, xarf or mime, not ${flags.format}`);
  const ws = openWorkspace(flags);
  try {
    const outcome = await findContact(ws, ip, { refresh: flags.refresh ?? false, cacheOnly: !flags.lookup });
    for (const note of outcome.kind === 'answer' ? outcome.result.notes : []) process.stderr.write(`bansho: ${note}\n`);
    if (flags.format === undefined && !flags.send && !flags.dryRun)
      return printContact(ip, outcome, flags.json ?? false);
    if (outcome.kind === 'failed')
      process.stderr.write(`bansho: no abuse contact for ${ip}: ${outcome.error.message} (${outcome.error.code})\n`);
    const contact = outcome.kind === 'answer' ? outcome.result.answer : null;
    const contactUnknown = outcome.kind === 'failed' ? `${outcome.error.message} (${outcome.error.code})` : null;
    const now = Date.now();
    const windowMs = flags.window ? parseDuration(flags.window) : ws.config.windowMs;
    if (flags.send || flags.dryRun)
      return await runSend(ws, ip, contact, outcome, {
        windowMs,
        now,
        dryRun: !flags.send || (flags.dryRun ?? false),
        out: flags.out,
      });
    const prepared = await prepareReport(ws, ip, { windowMs, unreportedOnly: false, contact, contactUnknown, now });
    if (prepared.kind === 'nothing') {
      process.stderr.write(
        `bansho: no threat events from ${ip} in ${ws.dbFile} within the window: nothing to report\n`,
      );
      return 1;
    }
    emit(render(prepared.report, flags.format as 'text' | 'xarf' | 'mime'), flags.out);
    return 0;
  } finally {
    ws.close();
  }
}

function render(report: AbuseReport, format: 'text' | 'xarf' | 'mime'): string {
  if (format === 'xarf') return renderXarf(report);
  if (format === 'mime') return arfMessage(report).raw;
  return renderText(report);
}

function emit(text: string, out: string | undefined): void {
  if (out) writeFileSync(out, text);
  else process.stdout.write(text);
}

async function runSend(
  ws: AbuseWorkspace,
  ip: string,
  contact: AbuseAnswer | null,
  outcome: ContactOutcome,
  o: { windowMs: number; now: number; dryRun: boolean; out: string | undefined },
): Promise<number> {
  const prepared = await prepareReport(ws, ip, {
    windowMs: o.windowMs,
    unreportedOnly: true,
    contact,
    contactUnknown: outcome.kind === 'failed' ? outcome.error.message : null,
    now: o.now,
  });
  if (prepared.kind === 'nothing') {
    const last = prepared.previous[0];
    process.stdout.write(
      last
        ? `nothing sent: every threat event from ${ip} was reported already (report ${last.reportId}, sent ${new Date(last.sentAt).toISOString()} to ${last.recipient})\n`
        : `nothing sent: no threat events from ${ip} within the window\n`,
    );
    return 0;
  }
  const recipient = contact ?? { why: outcome.kind === 'failed' ? outcome.error.message : 'not looked up' };
  const sent: SendOutcome = await sendReport(ws, prepared.report, prepared.previous, recipient, {
    dryRun: o.dryRun,
    now: o.now,
  });
  if (sent.kind === 'held') {
    process.stdout.write(`nothing sent: ${heldText(sent.decision)}\n`);
    return sent.decision.kind === 'nothing-new' ? 0 : 1;
  }
  if (sent.kind === 'would-send') {
    process.stdout.write(
      `dry run: would send report ${prepared.report.id} to ${sent.to} (${prepared.report.incident.events.length} events); nothing sent\n`,
    );
    emit(sent.message.raw, o.out);
    return 0;
  }
  process.stdout.write(
    `sent report ${prepared.report.id} to ${sent.to} (${prepared.report.incident.events.length} events): ${sent.response}\n`,
  );
  return 0;
}

function heldText(d: Extract<SendOutcome, { kind: 'held' }>['decision']): string {
  switch (d.kind) {
    case 'nothing-new':
      return `every event was reported already (report ${d.last.reportId}, ${new Date(d.last.sentAt).toISOString()}, to ${d.last.recipient})`;
    case 'no-contact':
      return `no abuse contact: ${d.why}`;
    case 'cap-reached':
      return `the day's cap of ${d.cap} reports is reached (abuse.daily_cap); ${d.sentToday} sent since 00:00 UTC`;
    case 'no-smtp':
      return 'no SMTP server configured (abuse.smtp in the config file)';
  }
}

function printContact(ip: string, outcome: ContactOutcome, json: boolean): number {
  if (outcome.kind === 'failed') {
    if (json)
      process.stdout.write(
        `${JSON.stringify({ ip, error: { code: outcome.error.code, message: outcome.error.message } })}\n`,
      );
    process.stderr.write(`bansho: no abuse contact for ${ip}: ${outcome.error.message} (${outcome.error.code})\n`);
    return 1;
  }
  const { answer, fromCache } = outcome.result;
  if (json) {
    process.stdout.write(`${JSON.stringify({ ...answer, fromCache })}\n`);
    return answer.kind === 'contact' ? 0 : EXIT_NO_CONTACT;
  }
  if (answer.kind === 'no-registry') {
    process.stdout.write(
      `no abuse contact for ${ip}: no registry holds this address (private, reserved or unallocated)\n`,
    );
    return EXIT_NO_CONTACT;
  }
  const n = answer.network;
  const lines: string[] = [];
  if (answer.kind === 'contact') lines.push(`abuse contact for ${ip}: ${answer.email}`);
  else
    lines.push(
      `no abuse contact for ${ip}: the registry lists none for ${n.name ?? n.handle ?? 'its network'}${answer.entityWithoutEmail ? ` (abuse entity ${answer.entityWithoutEmail} has no e-mail address)` : ''}`,
    );
  lines.push(
    `  network   ${[n.name, n.handle ? `handle ${n.handle}` : null, describeRange(n), n.country].filter((p) => p).join(', ')}`,
  );
  if (answer.kind === 'contact') {
    if (answer.otherEmails.length > 0) lines.push(`  also      ${answer.otherEmails.join(', ')}`);
    lines.push(`  contact   ${[answer.contactName, answer.contactHandle].filter((p) => p).join(', ') || '-'}`);
  }
  lines.push(`  registry  ${answer.url}${answer.via.length > 1 ? ` (referred: ${answer.via.join(' → ')})` : ''}`);
  lines.push(`  answer    ${new Date(answer.fetchedAt).toISOString()}${fromCache ? ' (from the cache)' : ''}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return answer.kind === 'contact' ? 0 : EXIT_NO_CONTACT;
}
