import { statSync } from 'node:fs';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { prebuiltCatalog } from '../catalog/prebuilt.js';
import { readConfigFile } from '../config/gatewayConfig.js';
import { type SitePolicy, sitePolicyFromFile } from '../config/sitePolicy.js';
import type { BanManager } from '../defense/banManager.js';
import type { Engine } from '../detect/types.js';
import type { Origin } from '../intel/origin.js';
import type { AnalyzerOptions, EventDetail, EventSink } from '../logs/analyzer.js';
import { resolveFormat } from '../logs/formats.js';
import { type AnalyzeWorkers, analyzeFilesParallel, defaultWorkers, startAnalyzeWorkers } from '../logs/parallel.js';
import { analyzeFiles, followFiles, type ProgressSink } from '../logs/run.js';
import type { SummaryInput } from '../logs/summary.js';
import type { EncodedEvent } from '../store/encodedEvent.js';
import type { SqliteBanStore } from '../store/sqlite/sqliteStore.js';
import { WalCheckpointer } from '../store/sqlite/walCheckpointer.js';
import { STORE_HELP } from './storeHelp.js';

interface AnalyzeFlags {
  format?: string;
  follow?: boolean;
  ban?: boolean;
  json?: boolean;
  db: string;
  store?: string;
  config?: string;
  siteName: string[];
  origins: boolean;
  rdns?: boolean;
  dnsServer?: string[];
  pollMs: string;
  progress: boolean;
  workers?: string;
  crs?: string;
  paranoia?: string;
}

export function register(program: Command): void {
  program
    .command('analyze')
    .description('Analyze access logs (Apache/nginx/JSON, .gz, - for stdin) with the detection engine')
    .argument('<files...>', 'log files; - reads standard input')
    .option(
      '--format <name|LogFormat>',
      'common, combined, vhost_combined, nginx, nginx_main, json, syslog:NAME (behind a syslog header), or a LogFormat string like \'%h %l %u %t "%r" %>s %b\'',
    )
    .option('--follow', 'keep reading as the files grow and rotate (like tail -F)')
    .option('--ban', 'with --follow: ban sources through the ban list a running gateway polls')
    .option('--json', 'print events as ECS JSON lines, then a {"summary": …} line')
    .option('--db <file>', 'SQLite database (with --store: the local journal)', 'bansho.db')
    .option('--store <url>', STORE_HELP)
    .option(
      '--config <file>',
      "the site's config file (serve's): its site_names, behaviours limits and trusted_proxies",
    )
    .option(
      '--site-name <host...>',
      "the site's own host names (absolute-form requests to them are not proxy abuse)",
      [],
    )
    .option(
      '--crs <dir>',
      'run the OWASP Core Rule Set in DIR beside the packs (a CRS release, or /usr/share/modsecurity-crs)',
    )
    .option('--paranoia <n>', 'with --crs: the CRS paranoia level, 1–4 (default 1, or crs.paranoia_level)')
    .option('--no-origins', 'skip the offline country/ASN lookup of top sources')
    .option('--rdns', 'look up reverse DNS of top sources (short timeout, never blocks)')
    .option('--dns-server <host:port...>', 'DNS servers for --rdns')
    .option('--poll-ms <ms>', 'with --follow: how often an idle file is checked', '250')
    .option('--no-progress', 'no progress bar, even on a terminal')
    .option(
      '--workers <n>',
      'worker threads for large inputs (0: analyse on the main thread; default: one per core for inputs of 16 MB or more)',
    )
    .action(async (files: string[], flags: AnalyzeFlags) => {
      process.exitCode = await runAnalyze(files, flags);
    });
}

export class AnalyzeOptionError extends Error {
  readonly code = 'E_ANALYZE_OPTION';
}

async function runAnalyze(files: string[], flags: AnalyzeFlags): Promise<number> {
  if (flags.ban && !flags.follow)
    throw new AnalyzeOptionError('--ban works with --follow (bans are for what happens now)');
  if (flags.follow && files.includes('-')) throw new AnalyzeOptionError('--follow needs files, not standard input');
  // The site as the gateway sees it: its names, the proxies in front, who is never banned.
  const policy = sitePolicyFromFile(flags.config ? readConfigFile(flags.config) : {}, flags.siteName, undefined, flags);
  const lists = { site_names: [...policy.siteNames] };
  // Workers first: each loads its engine while this thread loads the catalog and opens the store.
  const workerCount = flags.follow ? 0 : chooseWorkers(files, flags.workers);
  const workers = workerCount > 0 ? startAnalyzeWorkers(workerCount, lists, policy.trustedProxies, policy.crs) : null;
  try {
    return await analyzeWith(files, flags, lists, policy, workers);
  } finally {
    await workers?.close();
  }
}

async function analyzeWith(
  files: string[],
  flags: AnalyzeFlags,
  lists: { site_names: string[] },
  site: SitePolicy,
  workers: AnalyzeWorkers | null,
): Promise<number> {
  // Loaded once the workers are on their way, so this thread's loading overlaps theirs.
  // The engine only for lines read on this thread; the catalog from the build's copy when fresh.
  const [rules, { encodeEvent, openSqlite, SqliteBanStore, SqliteEventStore }, { banFromFinding, banFromLog }] =
    await Promise.all([
      workers ? null : import('../crs/index.js'),
      import('../store/index.js'),
      import('../logs/followBans.js'),
    ]);
  const catalog = prebuiltCatalog() ?? (await import('../catalog/index.js')).loadCatalog();
  let engine: Engine | null = null;
  const threatName = (id: string): string => catalog.get(id)?.name ?? id;
  const db = openSqlite(flags.db);
  // A bulk import: each transaction adds some 3 MB of new pages (2048 events of ~1.4 KB, and
  // their index entries), past SQLite's default 2 MB cache, which then spilled pages into the
  // WAL mid-transaction and re-read the index pages random sources land on. 64 MB at most
  // (pages are taken as they are needed), for this connection only: 9 % less of this thread's
  // CPU on an attack-only log.
  db.pragma('cache_size = -65536');
  // With --store postgres://…, the SQLite file is a journal shipped to the fleet's database.
  // Only those three can name one: without them the fleet's modules (pg) are not loaded.
  const fleet =
    flags.store !== undefined || process.env.BANSHO_STORE !== undefined || flags.config !== undefined
      ? (await import('./storeOption.js')).fleetJournal(db, flags, () => bans?.sync())
      : null;
  const store = new SqliteEventStore(db);
  const bans = flags.ban ? await followBanManager(new SqliteBanStore(db), site) : null;
  const extra: EncodedEvent[] = [];
  // An event's JSON is both the line printed for it and the document stored: written once.
  // Lines wait in `printing` and go out with each batch the store takes (one write, not one each).
  const printing: string[] = [];
  const writePrinted = (): void => {
    if (printing.length === 0) return;
    process.stdout.write(`${printing.join('\n')}\n`);
    printing.length = 0;
  };

  const options: AnalyzerOptions = {
    // Loaded on first use: with worker threads this thread never analyses a line itself.
    get engine(): Engine {
      if (rules === null) throw new Error('lines read in worker threads are judged there');
      engine ??= rules.loadPacksWithCrs(lists, site.crs);
      return engine;
    },
    threatName,
    behaviours: site.behaviours,
    trustedProxies: site.trustedProxies,
    ...(flags.format ? { format: resolveFormat(flags.format) } : {}),
    ...(flags.follow ? { fallbackTime: Date.now } : {}),
    onEvent: (event: EncodedEvent, detail: EventDetail | null) => {
      if (flags.json) printing.push(event.json);
      if (!bans || !detail) return;
      const banOptions = { bans, now: Date.now };
      const banned =
        detail.kind === 'line'
          ? banFromLog(detail.observation, detail.matches, banOptions, threatName)
          : banFromFinding(detail.finding, banOptions, threatName);
      if (banned) {
        const encoded = encodeEvent(banned);
        extra.push(encoded);
        if (flags.json) printing.push(encoded.json);
        else process.stderr.write(`banned ${banned.bansho.ban?.target} until ${banned.bansho.ban?.until}\n`);
      }
    },
  };
  let made = 0;
  // Started with the first events: the WAL is copied back on the other core, in larger and
  // fewer checkpoints than the writer's own every 1000 pages (a page is written back once
  // however many commits changed it), and never inside this thread's commits. A log with
  // nothing to store never starts it.
  let checkpointer: WalCheckpointer | null = null;
  const sink: EventSink = (events) => {
    const all = extra.length > 0 ? [...events, ...extra.splice(0)] : events;
    made += all.length;
    writePrinted();
    if (all.length > 0) checkpointer ??= WalCheckpointer.start(db);
    return store.appendEncodedSync(all);
  };
  const close = async (): Promise<void> => {
    await fleet?.close(60_000);
    await checkpointer?.stop();
    db.close();
  };

  if (flags.follow) {
    const controller = new AbortController();
    const stop = (): void => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const run = followFiles(files, options, sink, { signal: controller.signal, pollMs: Number(flags.pollMs) });
    if (!flags.json) process.stderr.write(`following ${files.join(', ')} (Ctrl-C to stop)\n`);
    await run.done;
    const input = {
      stats: run.analyzer.stats,
      added: run.added(),
      // Everything handed to the store: threat lines, findings and the bans they made.
      made,
      problems: [],
    };
    writePrinted();
    bans?.close();
    await finish(input, flags, threatName);
    await close();
    return 0;
  }

  const progress = flags.progress && process.stderr.isTTY && !flags.json ? terminalProgress() : undefined;
  const result = workers
    ? await analyzeFilesParallel(
        files,
        options,
        sink,
        { workers, ...(flags.format ? { formatSpec: flags.format } : {}) },
        progress,
      )
    : await analyzeFiles(files, options, sink, progress);
  writePrinted();
  await finish(
    { stats: result.analyzer.stats, added: result.added, made, problems: result.problems },
    flags,
    threatName,
  );
  await close();
  return result.problems.length > 0 && result.analyzer.stats.lines === 0 ? 2 : 0;
}

/** The gateway's ban manager, over the same database: the follower bans as the gateway would. */
async function followBanManager(store: SqliteBanStore, site: SitePolicy): Promise<BanManager> {
  const [{ Allowlist }, { BanManager }] = await Promise.all([
    import('../defense/allowlist.js'),
    import('../defense/banManager.js'),
  ]);
  return new BanManager({
    store,
    // The config's ban durations and allowlist, as in the gateway.
    policy: site.banPolicy,
    allowlist: new Allowlist(site.neverBanned),
    // A follower closes no connections: nothing is dropped, nothing to report.
    emit: () => {},
  });
}

/**
 * Worker threads pay off once the engine's work outweighs their start-up (each loads the rules):
 * from about 16 MB of log. Standard input stays on the main thread.
 */
function chooseWorkers(files: readonly string[], flag: string | undefined): number {
  if (flag !== undefined) return Math.max(0, Math.floor(Number(flag) || 0));
  if (files.includes('-')) return 0;
  let bytes = 0;
  for (const f of files) {
    try {
      bytes += statSync(f).size * (f.endsWith('.gz') ? 8 : 1);
    } catch {
      // A missing file is reported by the run itself.
    }
  }
  return bytes >= 16 * 1024 * 1024 ? defaultWorkers() : 0;
}

async function finish(
  base: Omit<SummaryInput, 'threatName' | 'origins'>,
  flags: AnalyzeFlags,
  threatName: (id: string) => string,
): Promise<void> {
  const origins = flags.origins ? await lookUpOrigins(base, flags) : undefined;
  const { formatSummary, summaryJson } = await import('../logs/summary.js');
  const input: SummaryInput = { ...base, threatName, ...(origins ? { origins } : {}) };
  if (flags.json) process.stdout.write(`${JSON.stringify({ summary: summaryJson(input) })}\n`);
  else process.stdout.write(formatSummary(input));
}

async function lookUpOrigins(
  base: Omit<SummaryInput, 'threatName' | 'origins'>,
  flags: AnalyzeFlags,
): Promise<Map<string, Origin> | undefined> {
  const { topEntries } = await import('../logs/summary.js');
  const top = topEntries(base.stats.sources, (s) => s.count, 10).map(([ip]) => ip);
  if (top.length === 0) return undefined;
  const [{ OriginDb }, { ReverseDns }] = await Promise.all([
    import('../intel/origin.js'),
    import('../intel/reverseDns.js'),
  ]);
  const rdns = flags.rdns
    ? new ReverseDns({ timeoutMs: 1000, ...(flags.dnsServer ? { servers: flags.dnsServer } : {}) })
    : undefined;
  const db = await OriginDb.open(rdns ? { rdns } : {});
  if (rdns) {
    await rdns.lookupAll(top, 2000);
    rdns.cancel();
  }
  return new Map(top.map((ip) => [ip, db.lookup(ip)]));
}

/** A cli-progress bar on stderr: bytes read, lines/s and ETA (bytes only when the size is unknown). */
function terminalProgress(): ProgressSink {
  let bar: SingleBar | null = null;
  let bytes = 0;
  let lines = 0;
  let started = 0;
  return {
    start(total) {
      bytes = 0;
      lines = 0;
      started = Date.now();
      const known = total !== null && total > 0;
      bar = new SingleBar({
        format: known
          ? '{bar} {percentage}% | {mb}/{totalMb} MB | {lines} lines | {rate} lines/s | ETA {eta_formatted}'
          : '{mb} MB | {lines} lines | {rate} lines/s',
        stream: process.stderr,
        hideCursor: true,
        etaBuffer: 50,
        fps: 5,
      });
      bar.start(known ? total : 1, 0, {
        mb: '0.0',
        totalMb: known ? (total / 1e6).toFixed(1) : '?',
        lines: 0,
        rate: 0,
      });
    },
    advance(raw, n) {
      bytes += raw;
      lines += n;
      const seconds = Math.max(0.001, (Date.now() - started) / 1000);
      bar?.update(bytes, { mb: (bytes / 1e6).toFixed(1), lines, rate: Math.round(lines / seconds) });
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}
