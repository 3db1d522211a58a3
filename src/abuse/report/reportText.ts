import { describeRange } from '../rdap/ipNetwork.js';
import { type AbuseReport, headline, recipientOf, utc } from './abuseReport.js';
import type { EvidenceEntry } from './evidence.js';
import { OTHER_ADDRESS, OUR_ADDRESS, OUR_SITE } from './redact.js';
import { wrap } from './wrap.js';

/**
 * The report for people: what happened and when (UTC, said so), what bansho did, the evidence
 * quoted exactly, and what the network's owner should look for (the catalog's advice).
 */
export function renderText(report: AbuseReport): string {
  const inc = report.incident;
  const out: string[] = [];
  out.push(`ABUSE REPORT: ${headline(report)} from ${inc.ip}`, '');
  out.push(`Report ID:   ${report.id}`);
  out.push(
    `Reported by: ${report.reporter.name ? `${report.reporter.name} <${report.reporter.email}>` : report.reporter.email}, with ${report.userAgent}`,
  );
  out.push(`To:          ${recipientLine(report)}`);
  out.push(`Written:     ${utc(report.createdAt)}`);
  out.push('All times in this report are UTC (Coordinated Universal Time, +00:00).', '');

  out.push('WHAT HAPPENED', '');
  const service = inc.service.port !== null ? ` (${inc.service.protocol ?? 'tcp'}, port ${inc.service.port})` : '';
  const span =
    utc(inc.start) === utc(inc.end) ? `At ${utc(inc.start)}` : `Between ${utc(inc.start)} and ${utc(inc.end)}`;
  const times = inc.attacks === 1 ? 'once' : `${inc.attacks} times`;
  out.push(
    ...wrap(`${span} the address ${inc.ip} attacked our server${service} ${times}, with what we recognised as:`),
    '',
  );
  for (const t of inc.threats) {
    out.push(
      ...wrap(
        `${t.name} (${t.count} event${t.count === 1 ? '' : 's'})${t.info ? `: ${t.info.description.trim()}` : '.'}`,
        76,
        '    ',
      ).map((l, i) => (i === 0 ? `  - ${l.slice(4)}` : l)),
    );
  }
  out.push('');

  out.push('WHAT WE DID', '');
  out.push(...wrap(actionsText(report)), '');

  out.push('EVIDENCE', '');
  out.push(
    ...wrap(
      `Quoted exactly as received, one event per block (time, source address and port, the port it was sent to, what bansho did). Bytes outside printable ASCII are written \\xNN and a backslash as \\\\. ${OUR_ADDRESS} and ${OUR_SITE} stand for our own addresses and names, ${OTHER_ADDRESS} for anyone else's.`,
    ),
    '',
  );
  for (const entry of report.evidence.entries) out.push(...evidenceBlock(inc.ip, entry));
  if (report.evidence.omittedEvents > 0)
    out.push(`  [… ${report.evidence.omittedEvents} more events with evidence not shown]`, '');

  const advised = inc.threats.filter((t) => t.info !== null);
  if (advised.length > 0) {
    out.push('WHAT TO LOOK FOR', '');
    for (const t of advised) {
      const info = t.info as NonNullable<typeof t.info>;
      out.push(...wrap(`${t.name}: ${info.advice.trim()}`));
      if (info.references.length > 0) out.push(...info.references.map((r) => `  ${r}`));
      out.push('');
    }
  }

  if (report.origin) out.push('WHERE THE ADDRESS IS', '', ...wrap(`From offline registry data: ${report.origin}.`), '');
  out.push(
    ...wrap(
      `Please check the host that used ${inc.ip} at the times above; it is most likely infected or misused. This report was written by bansho from its own records and sent deliberately by the site's operator; replies reach ${report.reporter.email}.`,
    ),
  );
  return `${out.join('\n')}\n`;
}

function recipientLine(report: AbuseReport): string {
  const c = report.contact;
  if (!c) return `abuse contact unknown: ${report.contactUnknown ?? 'not looked up'}`;
  if (c.kind === 'no-registry') return 'no registry holds this address';
  const range = describeRange(c.network);
  const network = [
    c.network.name,
    c.network.handle && c.network.handle !== c.network.name ? `handle ${c.network.handle}` : null,
    range,
  ]
    .filter((p) => p)
    .join(', ');
  const email = recipientOf(report);
  return email ? `${email} (abuse contact of ${network})` : `no abuse contact registered for ${network}`;
}

function actionsText(report: AbuseReport): string {
  const a = report.incident.actions;
  const words: string[] = [];
  if (a.blocked > 0)
    words.push(
      `refused ${a.blocked} request${a.blocked === 1 ? '' : 's'} (answered 400 and closed the connection; nothing was forwarded)`,
    );
  if (a.detected > 0)
    words.push(`recorded ${a.detected} detection${a.detected === 1 ? '' : 's'} in our logs or on the wire`);
  for (const b of a.bans) words.push(`banned ${b.target} until ${utc(Date.parse(b.until))} (offence ${b.offence})`);
  if (a.dropped > 0)
    words.push(
      `closed ${a.dropped} further connection${a.dropped === 1 ? '' : 's'} from it at once while it was banned`,
    );
  return words.length > 0 ? `We ${words.join('; ')}.` : 'We recorded it.';
}

function evidenceBlock(ip: string, e: EvidenceEntry): string[] {
  const from = e.sourcePort !== null ? `${ip}:${e.sourcePort}` : ip;
  const to = e.destinationPort !== null ? ` -> port ${e.destinationPort}` : '';
  const what = [e.sensor, e.action, e.threatId].filter((p) => p).join(' ');
  return [`  ${utc(e.time)}  ${from}${to}  (${what})`, ...e.lines.map((l) => `      ${l}`), ''];
}
