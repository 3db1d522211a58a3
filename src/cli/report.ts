import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { cachedAbuseNotes } from '../abuse/bulletinNotes.js';
import { lookUpIncidentContacts } from '../abuse/incidentContacts.js';
import { loadCatalog } from '../catalog/index.js';
import { type Origin, OriginDb } from '../intel/origin.js';
import { ReverseDns } from '../intel/reverseDns.js';
import { openSqlite } from '../store/index.js';
import { buildBulletin } from '../trends/bulletin.js';
import { renderHtml } from '../trends/render/htmlReport.js';
import { renderMarkdown } from '../trends/render/markdown.js';
import { openCommandStore, STORE_HELP } from './storeOption.js';

interface ReportFlags {
  since: string;
  until?: string;
  format: string;
  out?: string;
  db: string;
  store?: string;
  origins: boolean;
  rdns?: boolean;
  dnsServer?: string[];
  history: string;
  abuseLookup?: boolean;
  config?: string;
  rdapBootstrap?: string;
}

export class ReportOptionError extends Error {
  readonly code = 'E_REPORT_OPTION';
}

export function register(program: Command): void {
  program
    .command('report')
    .description('Write the "recent attack trends" bulletin from stored events')
    .option('--since <when>', 'start of the period: 90d, 12w, 6m, 1y, 48h or a date', '90d')
    .option('--until <date>', 'end of the period (default: now)')
    .option('--format <md|html>', 'Markdown or a self-contained HTML page', 'md')
    .option('--out <file>', 'write to a file instead of standard output')
    .option('--db <file>', 'SQLite database (with --store: where abuse contacts are cached)', 'bansho.db')
    .option('--store <url>', STORE_HELP)
    .option('--history <span>', 'how far back to look for recurrence', '3y')
    .option('--no-origins', 'leave out countries and networks')
    .option('--rdns', 'add reverse DNS of incident sources (short timeout, cached)')
    .option('--dns-server <host:port...>', 'DNS servers for --rdns')
    .option('--abuse-lookup', "look up incident sources' abuse contacts by RDAP (else only cached ones are shown)")
    .option('--config <file>', "the site's config file, for --abuse-lookup's abuse section")
    .option('--rdap-bootstrap <url>', "an RDAP bootstrap file to use instead of IANA's, for --abuse-lookup")
    .action(async (flags: ReportFlags) => {
      await runReport(flags);
    });
}

async function runReport(flags: ReportFlags): Promise<void> {
  if (flags.format !== 'md' && flags.format !== 'html')
    throw new ReportOptionError(`--format must be md or html, not ${flags.format}`);
  const until = flags.until ? parseWhen(flags.until, Date.now()) : Date.now();
  const since = parseWhen(flags.since, until);
  const historySince = since - spanMs(flags.history);
  const store = await openCommandStore(flags);
  const events = await store.queryEvents({ since: historySince, until });
  await store.close();
  const db = openSqlite(flags.db);
  // Abuse contacts come from what `bansho abuse` cached: the bulletin asks no registry.
  const abuse = cachedAbuseNotes(db);
  const catalog = loadCatalog();

  let origin: ((ip: string) => Origin | undefined) | undefined;
  if (flags.origins) {
    const rdns = flags.rdns
      ? new ReverseDns({ timeoutMs: 1000, ...(flags.dnsServer ? { servers: flags.dnsServer } : {}) })
      : undefined;
    const db = await OriginDb.open(rdns ? { rdns } : {});
    if (rdns) {
      const recent = events.filter((e) => Date.parse(e['@timestamp']) >= since && e.threat).map((e) => e.source.ip);
      await rdns.lookupAll(new Set(recent), 3000);
      rdns.cancel();
    }
    const cache = new Map<string, Origin>();
    origin = (ip) => {
      let o = cache.get(ip);
      if (!o) {
        o = db.lookup(ip);
        cache.set(ip, o);
      }
      return o;
    };
  }
  const input = {
    events,
    since,
    until,
    threat: (id: string) => catalog.get(id),
    ...(origin ? { origin } : {}),
    abuse,
  };
  let bulletin = buildBulletin(input);
  if (flags.abuseLookup) {
    const problems = await lookUpIncidentContacts(
      bulletin.incidents.map((i) => i.sourceIp),
      {
        db: flags.db,
        ...(flags.config ? { config: flags.config } : {}),
        ...(flags.rdapBootstrap ? { rdapBootstrap: flags.rdapBootstrap } : {}),
      },
    );
    for (const p of problems) process.stderr.write(`bansho: ${p}\n`);
    // Built again: the abuse notes now read what the lookups cached.
    bulletin = buildBulletin(input);
  }
  const text = flags.format === 'html' ? renderHtml(bulletin) : renderMarkdown(bulletin);
  if (flags.out) writeFileSync(flags.out, text);
  else process.stdout.write(text);
}

/** `90d`, `12w`, `6m` (30-day months), `1y` (365 days), `48h` before `from`; or an ISO date. */
export function parseWhen(text: string, from: number): number {
  if (/^\d+[hdwmy]$/.test(text)) return from - spanMs(text);
  const t = Date.parse(/^\d{4}-\d\d-\d\d$/.test(text) ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(t)) throw new ReportOptionError(`not a span or a date: ${text}`);
  return t;
}

export function spanMs(text: string): number {
  const m = /^(\d+)([hdwmy])$/.exec(text);
  if (!m) throw new ReportOptionError(`not a span like 90d: ${text}`);
  const unit = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000, m: 30 * 86_400_000, y: 365 * 86_400_000 }[
    m[2] as 'h' | 'd' | 'w' | 'm' | 'y'
  ];
  return Number(m[1]) * unit;
}
