import type Database from 'better-sqlite3';
import { ipNumber, rangeSize } from '../net/ipRange.js';
import type { AbuseAnswer } from '../rdap/abuseAnswer.js';
import { networkRange } from '../rdap/ipNetwork.js';
import type { HostLimit } from '../rdap/rateLimit.js';
import { ensureAbuseTables } from './abuseTables.js';

/** A cached bootstrap file or answer, with when it was fetched. */
export interface Cached<T> {
  readonly value: T;
  readonly fetchedAt: number;
}

/** Numbers as fixed-width hex, so SQLite's text order is numeric order. */
function hex(n: bigint): string {
  return n.toString(16).padStart(32, '0');
}

/**
 * What RDAP lookups keep on disk, in the bansho database: bootstrap files, answers (found
 * again for any address in the answer's network), and each registry's pace (queries sent,
 * a 429's Retry-After, an announced limit) — kept across runs, since every `bansho abuse` is
 * a new process.
 */
export class RdapCache {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    ensureAbuseTables(db);
    this.#db = db;
  }

  bootstrap(url: string): Cached<string> | null {
    const row = this.#db.prepare('SELECT body, fetched_at FROM abuse_rdap_bootstrap WHERE url = ?').get(url) as
      | { body: string; fetched_at: number }
      | undefined;
    return row ? { value: row.body, fetchedAt: row.fetched_at } : null;
  }

  putBootstrap(url: string, body: string, fetchedAt: number): void {
    this.#db
      .prepare('INSERT OR REPLACE INTO abuse_rdap_bootstrap (url, fetched_at, body) VALUES (?, ?, ?)')
      .run(url, fetchedAt, body);
  }

  /** The answer for `ip`: its own, else the most specific cached network that holds it. */
  answer(ip: string): Cached<AbuseAnswer> | null {
    const own = this.#db.prepare('SELECT answer, fetched_at FROM abuse_rdap_answers WHERE ip = ?').get(ip) as
      | { answer: string; fetched_at: number }
      | undefined;
    if (own) return { value: JSON.parse(own.answer) as AbuseAnswer, fetchedAt: own.fetched_at };
    const n = ipNumber(ip);
    if (!n) return null;
    const rows = this.#db
      .prepare(
        `SELECT answer, fetched_at FROM abuse_rdap_answers
         WHERE family = ? AND range_start <= ? AND range_end >= ?`,
      )
      .all(n.family, hex(n.value), hex(n.value)) as Array<{ answer: string; fetched_at: number }>;
    let best: { cached: Cached<AbuseAnswer>; size: bigint } | null = null;
    for (const row of rows) {
      const value = JSON.parse(row.answer) as AbuseAnswer;
      const range = value.kind === 'no-registry' ? null : networkRange(value.network);
      if (range && (best === null || rangeSize(range) < best.size))
        best = { cached: { value, fetchedAt: row.fetched_at }, size: rangeSize(range) };
    }
    return best?.cached ?? null;
  }

  putAnswer(answer: AbuseAnswer): void {
    const range = answer.kind === 'no-registry' ? null : networkRange(answer.network);
    this.#db
      .prepare(
        `INSERT OR REPLACE INTO abuse_rdap_answers (ip, family, range_start, range_end, fetched_at, answer)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(
        answer.ip,
        range?.family ?? null,
        range ? hex(range.start) : null,
        range ? hex(range.end) : null,
        answer.fetchedAt,
        JSON.stringify(answer),
      );
  }

  /** Queries sent to `host` in the last minute, and what holds it back. */
  pace(
    host: string,
    now: number,
  ): { recent: number[]; notBefore: { at: number; reason: string } | null; announced: HostLimit | null } {
    const recent = (
      this.#db.prepare('SELECT at FROM abuse_rdap_queries WHERE host = ? AND at > ?').all(host, now - 60_000) as Array<{
        at: number;
      }>
    ).map((r) => r.at);
    const row = this.#db
      .prepare('SELECT not_before, reason, per_minute FROM abuse_rdap_hosts WHERE host = ?')
      .get(host) as { not_before: number; reason: string | null; per_minute: number | null } | undefined;
    return {
      recent,
      notBefore: row && row.not_before > now ? { at: row.not_before, reason: row.reason ?? 'rate limited' } : null,
      announced: row?.per_minute ? { perMinute: row.per_minute, source: 'the limit the registry announces' } : null,
    };
  }

  recordQuery(host: string, at: number): void {
    this.#db.transaction(() => {
      this.#db.prepare('DELETE FROM abuse_rdap_queries WHERE at < ?').run(at - 3_600_000);
      this.#db.prepare('INSERT INTO abuse_rdap_queries (host, at) VALUES (?, ?)').run(host, at);
    })();
  }

  holdBack(host: string, until: number, reason: string): void {
    this.#db
      .prepare(
        `INSERT INTO abuse_rdap_hosts (host, not_before, reason) VALUES (?, ?, ?)
         ON CONFLICT (host) DO UPDATE SET not_before = excluded.not_before, reason = excluded.reason`,
      )
      .run(host, until, reason);
  }

  setAnnouncedLimit(host: string, perMinute: number): void {
    this.#db
      .prepare(
        `INSERT INTO abuse_rdap_hosts (host, per_minute) VALUES (?, ?)
         ON CONFLICT (host) DO UPDATE SET per_minute = excluded.per_minute`,
      )
      .run(host, perMinute);
  }
}
