import { isIP } from 'node:net';
import type { Command } from 'commander';
import { buildSourceFile } from '../abuse/source/sourceFile.js';
import { renderSourceText } from '../abuse/source/sourceText.js';
import { openWorkspace } from '../abuse/workspace.js';
import { banTargetFor } from '../defense/address.js';
import { OriginDb } from '../intel/origin.js';
import { ReverseDns } from '../intel/reverseDns.js';

interface SourceFlags {
  config?: string;
  db?: string;
  json?: boolean;
  rdns: boolean;
  dnsServer?: string[];
  limit: string;
}

const DAY = 86_400_000;

export class SourceOptionError extends Error {
  readonly code = 'E_SOURCE_OPTION';
}

export function register(program: Command): void {
  program
    .command('source <ip>')
    .description(
      'everything bansho knows about one source: events with evidence, bans, origin, recurrence, abuse contact',
    )
    .option('--config <file>', "the site's config file (for its db)")
    .option('--db <file>', "SQLite database (default: the config's db, else ./bansho.db)")
    .option('--json', 'the whole file as one JSON object')
    .option('--no-rdns', 'skip the reverse DNS lookup')
    .option('--dns-server <host:port...>', 'DNS servers for the reverse lookup')
    .option('--limit <n>', 'list at most this many of the newest events', '50')
    .action(async (ip: string, flags: SourceFlags) => {
      if (isIP(ip) === 0) throw new SourceOptionError(`not an IP address: ${ip}`);
      const limit = Number(flags.limit);
      if (!Number.isInteger(limit) || limit < 0) throw new SourceOptionError(`--limit ${flags.limit}: not a count`);
      const ws = openWorkspace(flags);
      try {
        const events = ws.events.querySync({ sourceIp: ip });
        const target = banTargetFor(ip);
        const rdns = flags.rdns
          ? new ReverseDns({ timeoutMs: 1500, ...(flags.dnsServer ? { servers: flags.dnsServer } : {}) })
          : undefined;
        if (rdns) {
          await rdns.lookupAll([ip], 2000);
          rdns.cancel();
        }
        const origins = await OriginDb.open(rdns ? { rdns } : {});
        const file = buildSourceFile({
          ip,
          events,
          activeBans: ws.bans.activeSync(Date.now()).filter((b) => b.target === target),
          offences: ws.bans.offencesSync(target),
          origin: origins.lookup(ip),
          contact: ws.cache.answer(ip)?.value ?? null,
          reports: ws.reports.forSource(ip),
          listLimit: limit,
          episodeGapMs: DAY,
        });
        process.stdout.write(flags.json ? `${JSON.stringify(file, null, 2)}\n` : renderSourceText(file));
        if (events.length === 0) process.exitCode = 1;
      } finally {
        ws.close();
      }
    });
}
