import type Database from 'better-sqlite3';

/**
 * The abuse module's own tables in the bansho database. The store's numbered migrations
 * belong to the event and ban store; these tables are independent of them and are created,
 * if missing, whenever the abuse module opens the database.
 */
const TABLES = `
  CREATE TABLE IF NOT EXISTS abuse_rdap_bootstrap (
    url TEXT PRIMARY KEY,
    fetched_at INTEGER NOT NULL,
    body TEXT NOT NULL
  );
  -- One RDAP answer per address asked; the network range lets other addresses in it reuse it.
  CREATE TABLE IF NOT EXISTS abuse_rdap_answers (
    ip TEXT PRIMARY KEY,
    family INTEGER,
    range_start TEXT,
    range_end TEXT,
    fetched_at INTEGER NOT NULL,
    answer TEXT NOT NULL
  );
  -- Per registry host: a 429's Retry-After, and the limit it announces.
  CREATE TABLE IF NOT EXISTS abuse_rdap_hosts (
    host TEXT PRIMARY KEY,
    not_before INTEGER NOT NULL DEFAULT 0,
    reason TEXT,
    per_minute REAL
  );
  CREATE TABLE IF NOT EXISTS abuse_rdap_queries (host TEXT NOT NULL, at INTEGER NOT NULL);
  CREATE INDEX IF NOT EXISTS abuse_rdap_queries_host ON abuse_rdap_queries (host, at);
  -- Reports sent: to whom, when, for which events (a JSON list of event ids).
  CREATE TABLE IF NOT EXISTS abuse_reports (
    report_id TEXT PRIMARY KEY,
    source_ip TEXT NOT NULL,
    recipient TEXT NOT NULL,
    sent_at INTEGER NOT NULL,
    event_ids TEXT NOT NULL,
    message_id TEXT NOT NULL,
    smtp_response TEXT
  );
  CREATE INDEX IF NOT EXISTS abuse_reports_source ON abuse_reports (source_ip, sent_at);
  CREATE INDEX IF NOT EXISTS abuse_reports_sent ON abuse_reports (sent_at);
`;

export function ensureAbuseTables(db: Database.Database): void {
  db.exec(TABLES);
}
