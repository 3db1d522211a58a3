import { attributionText } from '../../intel/attribution.js';
import { describeOrigin } from '../../intel/origin.js';
import { visible } from '../../trends/render/escape.js';
import { describeRange } from '../rdap/ipNetwork.js';
import type { SourceEvent, SourceFile } from './sourceFile.js';

/** The source file for a terminal: sections in the order an incident is told, evidence made visible. */
export function renderSourceText(f: SourceFile): string {
  const out: string[] = [];
  out.push(`Source ${f.ip}`, '');
  if (f.firstSeen === null) out.push('No events from this address are stored.');
  else {
    out.push(`First seen  ${f.firstSeen}`, `Last seen   ${f.lastSeen}`, '(times UTC)');
    const actions = Object.entries(f.actions)
      .sort((a, b) => b[1] - a[1])
      .map(([a, n]) => `${a} ${n}`)
      .join(', ');
    out.push(`Events      ${f.eventCount} (${actions})`);
    out.push(`Recurrence  ${f.recurrence.text}`);
  }
  out.push('', 'Origin');
  if (f.origin) {
    out.push(`  ${describeOrigin(f.origin)}`);
    if (f.origin.reverse === null) out.push('  reverse DNS: no name');
    else if (f.origin.reverse === undefined) out.push('  reverse DNS: not looked up');
    if (f.origin.pool)
      out.push(
        `  access network: ${f.origin.pool.kind} (${f.origin.pool.evidence}): likely an infected customer machine`,
      );
  } else out.push('  not looked up');
  out.push('', 'Abuse contact');
  out.push(`  ${contactText(f)}`);
  for (const r of f.abuse.reports)
    out.push(
      `  report ${r.reportId} sent ${new Date(r.sentAt).toISOString()} to ${r.recipient} (${r.eventIds.length} events)`,
    );

  if (f.threats.length > 0) {
    out.push('', 'Threats');
    for (const t of f.threats)
      out.push(`  ${t.name} (${t.id}): ${t.count} event${t.count === 1 ? '' : 's'}, ${t.first} – ${t.last}`);
  }
  out.push('', 'Bans and offences');
  if (f.bans.inForce.length === 0) out.push('  no ban in force');
  for (const b of f.bans.inForce)
    out.push(
      `  in force: ${b.target} until ${new Date(b.until).toISOString()} (offence ${b.offence}, ${b.origin}): ${b.reason}`,
    );
  for (const b of f.bans.history)
    out.push(`  ${b.time} banned ${b.target} until ${b.until} (offence ${b.offence}): ${b.reason}`);
  out.push(`  offences on record: ${f.bans.offences}`);

  if (f.behaviourFindings.length > 0) {
    out.push('', 'Behaviour findings');
    for (const e of f.behaviourFindings) out.push(...eventLines(e));
  }
  if (f.honeypotSessions.length > 0) {
    out.push('', 'Honeypot sessions');
    for (const e of f.honeypotSessions) out.push(...eventLines(e));
  }
  if (f.events.length > 0) {
    out.push(
      '',
      `Events${f.eventsNotListed > 0 ? ` (the newest ${f.events.length}; ${f.eventsNotListed} older not listed)` : ''}`,
    );
    for (const e of f.events) out.push(...eventLines(e));
  }
  if (f.origin && !f.origin.special) out.push('', attributionText());
  return `${out.join('\n')}\n`;
}

function contactText(f: SourceFile): string {
  const c = f.abuse.contact;
  if (!c) return `not looked up yet (bansho abuse ${f.ip})`;
  if (c.kind === 'no-registry') return 'no registry holds this address';
  const network = [c.network.name, c.network.handle, describeRange(c.network)].filter((p) => p).join(', ');
  const when = `as of ${new Date(c.fetchedAt).toISOString()}`;
  return c.kind === 'contact' ? `${c.email} for ${network} (${when})` : `none registered for ${network} (${when})`;
}

function eventLines(e: SourceEvent): string[] {
  const threat = e.threat ? ` ${e.threat.name}` : '';
  const port = e.sourcePort !== null ? ` from port ${e.sourcePort}` : '';
  const dst = e.destination ? ` → ${e.destination}` : '';
  const status = e.status !== null ? ` [${e.status}]` : '';
  const count = e.count > 1 ? ` ×${e.count}` : '';
  const lines = [`  ${e.time} ${e.sensor} ${e.action}${count}${threat}${port}${dst}${status}`];
  for (const l of e.evidence) lines.push(`      ${visible(l)}`);
  for (const l of e.packetLog) lines.push(`      | ${visible(l)}`);
  return lines;
}
