/**
 * The ban list at scale (issue "gateway hardening"): 1 000 000 bans in force (60 % IPv4 /32,
 * 40 % IPv6 /64) in a fresh database. Measured, each in a process of its own: the gateway's
 * start-up load (time, RSS growth, peak), the accept-time check (ns per call, and garbage
 * collections during 10 M IPv4 lookups: none means the lookup allocates nothing; the whole
 * check also reads the clock, and Date.now() boxes its result), a ban made by another
 * process reaching the running list (p50 and worst of 20, polled every 250 ms), and a burst of
 * 50 000 changes applied a slice per turn (the longest turn is how long requests wait). The
 * peer is the old way: every change read the whole list again (one read measured here).
 * Goals: load within seconds, ≤ 200 MB, no collection on the IPv4 check, no turn near a second.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqliteBanStore } from '../src/store/sqlite/sqliteStore.js';
import type { Ban } from '../src/store/types.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const TOTAL = Number(process.env.BENCH_BANS ?? 1_000_000);

function ban(i: number, now: number): Ban {
  const target =
    i % 5 < 3
      ? `${11 + (i >>> 24)}.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}/32`
      : `2001:db8:${(i >>> 16).toString(16)}:${(i & 0xffff).toString(16)}::/64`;
  return {
    target,
    since: now,
    until: now + 3_600_000 + i,
    reason: 'bench',
    threatId: null,
    offence: 1,
    origin: 'auto',
  };
}

function child(mode: string, db: string): Record<string, number> {
  const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', 'bench/_banStateChild.ts', mode, db], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out) as Record<string, number>;
}

export async function run(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'bansho-banstate-'));
  const db = join(tmp, 'bans.db');
  try {
    const store = new SqliteBanStore(db);
    const now = Date.now();
    const t0 = performance.now();
    for (let from = 0; from < TOTAL; from += 100_000)
      store.putManySync(Array.from({ length: Math.min(100_000, TOTAL - from) }, (_, k) => ban(from + k, now)));
    const insertS = (performance.now() - t0) / 1000;
    await store.close();
    console.log(`${TOTAL} bans written in ${insertS.toFixed(1)} s (one transaction per 100 000)\n`);

    const loaded = child('load', db);
    const old = child('reload', db);
    console.log('| measure | value |');
    console.log('|---|---|');
    const rows: Array<[string, string]> = [
      ['bans loaded at start', String(loaded.bans)],
      ['start-up load', `${loaded.loadMs} ms`],
      ['RSS growth after load (settled)', `${loaded.rssGrowthMb} MB`],
      ['RSS peak growth during load', `${loaded.rssPeakGrowthMb} MB`],
      ['heap growth after load', `${loaded.heapGrowthMb} MB`],
      ['IPv4 ban-list lookup', `${loaded.v4LookupNs} ns, ${loaded.v4LookupGcs} collections in 10 M calls`],
      [
        'IPv4 accept check (dropIfBanned, reads the clock)',
        `${loaded.v4AcceptNs} ns, ${loaded.v4AcceptGcs} collections in 10 M (Date.now() alone: ${loaded.clockGcs})`,
      ],
      ['IPv6 accept check', `${loaded.v6CheckNs} ns`],
      [
        'a ban from another process, in force here (p50 / worst of 20)',
        `${loaded.deltaP50Ms} / ${loaded.deltaMaxMs} ms`,
      ],
      ['a burst of 50 000 changes, all applied', `${loaded.burstMs} ms`],
      ['  longest event-loop turn meanwhile', `${loaded.burstLongestTurnMs} ms`],
      ['peer: one full read of the list (old sync, per change)', `${old.fullReadMs} ms, +${old.rssGrowthMb} MB RSS`],
    ];
    for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
