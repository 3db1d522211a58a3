import { type Command, InvalidArgumentError } from 'commander';
import { sitePolicyFromFile } from '../config/sitePolicy.js';
import type { SecurityEvent } from '../events/securityEvent.js';
import { CaptureError } from '../monitor/capture/errors.js';
import type { Frame } from '../monitor/capture/frame.js';
import {
  DEFAULT_BUFFER_KIB,
  LiveCaptureError,
  type LiveCaptureResult,
  startLiveCapture,
} from '../monitor/capture/live.js';
import { openCaptureFile, readCapture } from '../monitor/capture/source.js';
import { judgeRules } from '../monitor/judge/lazyRules.js';
import { LineBuffer } from '../monitor/log/lineBuffer.js';
import { MacNames } from '../monitor/log/names.js';
import { inThreadJudge, Monitor, type MonitorStats } from '../monitor/monitor.js';
import { STORE_HELP } from './storeHelp.js';

interface MonitorFlags {
  read?: string;
  interface?: string;
  filter?: string;
  source?: string;
  json?: boolean;
  log: boolean;
  flows?: boolean;
  db: string;
  /** `--store URL`, or false for `--no-store`. */
  store?: string | false;
  thresholds?: string;
  config?: string;
  siteName: string[];
  bufferSize: number;
  crs?: string;
  paranoia?: string;
}

export function register(program: Command): void {
  program
    .command('monitor')
    .description(
      'Packet monitor: a tshark-style packet log, HTTP reassembly into the detection engine, scans and floods',
    )
    .option('-r, --read <file>', 'read a pcap or pcapng capture (- for standard input)')
    .option('-i, --interface <iface>', 'capture live through tcpdump on this interface')
    .option('--filter <bpf>', "with -i: a BPF capture filter, e.g. 'tcp port 80'")
    .option(
      '--buffer-size <MiB>',
      'with -i: kernel capture buffer; packets arriving while it is full are dropped (and counted)',
      parseBufferSize,
      DEFAULT_BUFFER_KIB / 1024,
    )
    .option('--source <ip>', "incident view: only this address's packets (with --db and no -r/-i: its stored evidence)")
    .option('--json', 'print events (detections, flows) as ECS JSON lines instead of the packet log')
    .option('--no-log', 'no packet log: detection only')
    .option('--flows', 'store a flow summary for every connection (default: only connections with a detection)')
    .option('--db <file>', 'SQLite event store (with a PostgreSQL store: the local journal)', 'bansho.db')
    .option('--store <url>', STORE_HELP)
    .option('--no-store', 'do not write events to any store')
    .option(
      '--crs <dir>',
      'run the OWASP Core Rule Set in DIR beside the packs (a CRS release, or /usr/share/modsecurity-crs)',
    )
    .option('--paranoia <n>', 'with --crs: the CRS paranoia level, 1–4 (default 1, or crs.paranoia_level)')
    .option(
      '--thresholds <file>',
      "YAML holding a config file's `network` section (port-scan, SYN-flood, SSH and login brute-force limits); wins over --config's",
    )
    .option(
      '--config <file>',
      "the site's config file (serve's): its site_names, behaviours and network limits, trusted_proxies",
    )
    .option(
      '--site-name <host...>',
      "the site's own host names (absolute-form requests to them are not proxy abuse)",
      [],
    )
    .action(async (flags: MonitorFlags) => {
      process.exitCode = await runMonitor(flags);
    });
}

async function runMonitor(flags: MonitorFlags): Promise<number> {
  if (flags.read && flags.interface) return usage('give either -r FILE or -i IFACE, not both');
  if (!flags.read && !flags.interface) {
    if (flags.source) {
      const { printStoredEvidence } = await import('../monitor/evidence/storedEvidence.js');
      return printStoredEvidence(flags.db, flags.source, process.stdout);
    }
    return usage('give -r FILE, -i IFACE, or --source IP with --db FILE');
  }
  if (flags.filter && !flags.interface) return usage('--filter goes with -i (a capture filter)');

  // The config readers (YAML and its schema) are loaded only for a file to read: most of the start-up's code.
  const config = flags.config ? (await import('../config/gatewayConfig.js')).readConfigFile(flags.config) : {};
  const network = flags.thresholds
    ? (await import('../config/networkSection.js')).readThresholdsFile(flags.thresholds)
    : undefined;
  const site = sitePolicyFromFile(config, flags.siteName, network, flags);
  // Loaded only when used: SQLite's binding is a part of the start-up `--no-store` need not pay.
  const storeModule = flags.store !== false ? await import('../store/index.js') : null;
  const db = storeModule ? storeModule.openSqlite(flags.db) : null;
  const store = db && storeModule ? new storeModule.SqliteEventStore(db) : null;
  // --store, BANSHO_STORE or store: in --config naming a PostgreSQL: the file is a journal shipped to it.
  // The fleet's link (PostgreSQL's client) too.
  const fleet = db
    ? (await import('./storeOption.js')).fleetJournal(db, {
        db: flags.db,
        ...(typeof flags.store === 'string' ? { store: flags.store } : {}),
        ...(flags.config ? { config: flags.config } : {}),
      })
    : null;
  const out = new StdoutLines();
  const pending: SecurityEvent[] = [];
  const counts = new Map<string, number>();
  let flushedAt = Date.now();
  const flush = (): void => {
    flushedAt = Date.now();
    if (store && pending.length > 0) store.appendSync(pending.splice(0));
    else pending.length = 0;
  };
  const tally = (threatId: string): void => {
    counts.set(threatId, (counts.get(threatId) ?? 0) + 1);
  };
  const onEvent = (event: SecurityEvent): void => {
    if (flags.json) out.line(JSON.stringify(event));
    if (event.event.action === 'detected') tally(event.threat?.software?.id ?? 'unnamed');
    pending.push(event);
    // Batched, but a live capture's events reach the store within a second or two.
    if (pending.length >= 256 || Date.now() - flushedAt > 1000) flush();
  };
  // The rules are compiled on this thread when the first request or datagram is judged.
  const tallyOnly = store === null && !flags.json;
  const rules = await judgeRules({ site_names: [...site.siteNames] }, site.crs);
  const judge = inThreadJudge({
    engine: rules.engine,
    threatName: rules.threatName,
    allFlows: flags.flows ?? false,
    behaviours: site.behaviours,
    trustedProxies: site.trustedProxies,
    onEvent,
    // Without a store or --json nobody reads an event: detections are only counted, no event is built.
    ...(tallyOnly ? { tally } : {}),
  });
  const monitor = new Monitor({
    judge,
    network: site.network,
    log: flags.log && !flags.json,
    source: flags.source ?? null,
    macNames: MacNames.load(),
    output: out.buffer,
    // No event, no evidence: the connections' records would be read by nobody.
    keepRecords: !tallyOnly,
  });
  const afterChunk = (): Promise<void> => out.drain();

  let failure: Error | null = null;
  let dropped = 0;
  try {
    // The monitor keeps no frame past its call: one Frame serves every record.
    if (flags.read) {
      const onFrame = (f: Frame): void => monitor.frame(f);
      await readCapture(openCaptureFile(flags.read), onFrame, afterChunk, { reuseFrames: true });
    } else dropped = (await live(flags, monitor)).droppedByKernel;
  } catch (err) {
    if (!(err instanceof CaptureError || err instanceof LiveCaptureError)) throw err;
    failure = err;
  }
  monitor.end();
  flush();
  await out.drain();
  await fleet?.close(60_000);
  db?.close();
  process.stderr.write(summary(monitor.stats, counts, store !== null ? flags.db : null));
  if (dropped > 0) {
    process.stderr.write(
      `bansho monitor: the kernel dropped ${dropped} packet${dropped === 1 ? '' : 's'} it could not hand to tcpdump in time; ` +
        `streams with gaps may be missing requests (a larger --buffer-size, now ${flags.bufferSize} MiB, helps)\n`,
    );
  }
  if (failure) {
    process.stderr.write(`bansho monitor: ${failure.message}\n`);
    return 2;
  }
  return 0;
}

async function live(flags: MonitorFlags, monitor: Monitor): Promise<LiveCaptureResult> {
  const capture = startLiveCapture(
    {
      iface: flags.interface as string,
      bufferKiB: flags.bufferSize * 1024,
      ...(flags.filter ? { filter: flags.filter } : {}),
      onListening: () => process.stderr.write(`capturing on ${flags.interface} (Ctrl-C to stop)\n`),
    },
    (f) => monitor.frame(f),
  );
  const stop = (): void => capture.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    return await capture.done;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

function parseBufferSize(text: string): number {
  const mib = Number(text);
  if (!Number.isInteger(mib) || mib < 1 || mib > 4096) {
    throw new InvalidArgumentError('a whole number of MiB from 1 to 4096');
  }
  return mib;
}

function usage(message: string): number {
  process.stderr.write(`bansho monitor: ${message}\n`);
  return 2;
}

function summary(stats: MonitorStats, counts: Map<string, number>, db: string | null): string {
  const named = [...counts.entries()].map(([id, n]) => `${id} ×${n}`).join(', ');
  return (
    `${stats.frames} packets, ${stats.requests} HTTP requests, ${stats.detections + stats.alerts} detections` +
    `${named ? ` (${named})` : ''}, ${stats.flows} flows${db ? `; events stored in ${db}` : ''}\n`
  );
}

/**
 * The packet log's bytes (and --json's lines) to stdout a quarter megabyte at a time, waiting for
 * the pipe to drain, so a slow reader holds the capture back.
 */
class StdoutLines {
  // A chunk's buffer is filled again once stdout has written it (no new half megabyte per chunk).
  readonly buffer = new LineBuffer((chunk, release) => process.stdout.write(chunk, release));

  line(text: string): void {
    this.buffer.text(text);
    this.buffer.newline();
  }

  async drain(): Promise<void> {
    this.buffer.flush();
    if (!process.stdout.writableNeedDrain) return;
    await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
  }
}
