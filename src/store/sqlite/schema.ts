/**
 * Schema of the embedded store. Versioned with `PRAGMA user_version`; each migration runs once,
 * in order. The third calls `bansho_event_key(id)`, which openSqlite.ts registers (../encodedEvent.ts's
 * `eventKey`): SQLite has no MD5 of its own.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE events (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    ts INTEGER NOT NULL,
    action TEXT NOT NULL,
    source_ip TEXT NOT NULL,
    threat_id TEXT,
    rule_id TEXT,
    doc TEXT NOT NULL
  );
  CREATE INDEX events_ts ON events (ts);
  CREATE INDEX events_source ON events (source_ip, ts);
  CREATE INDEX events_threat ON events (threat_id, ts);

  CREATE TABLE bans (
    target TEXT PRIMARY KEY,
    since INTEGER NOT NULL,
    until INTEGER NOT NULL,
    reason TEXT NOT NULL,
    threat_id TEXT,
    offence INTEGER NOT NULL,
    origin TEXT NOT NULL
  );
  CREATE INDEX bans_until ON bans (until);

  -- Offences outlive the bans they caused, so a repeat offender's next ban doubles.
  CREATE TABLE offences (
    target TEXT PRIMARY KEY,
    count INTEGER NOT NULL,
    last INTEGER NOT NULL
  );

  -- Bumped on every ban-list change; other processes poll it to pick changes up.
  CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
  INSERT INTO meta (key, value) VALUES ('bans_version', 0);
  `,
  `
  -- Every change to the ban list, in order, written in the same transaction as the change:
  -- running gateways apply the rows after their cursor instead of reloading the whole list.
  -- AUTOINCREMENT: a seq is never handed out twice, even after every row was pruned.
  -- (meta's bans_version, which readers polled before, is no longer written.)
  CREATE TABLE ban_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    target TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('put', 'remove')),
    until INTEGER NOT NULL,
    at INTEGER NOT NULL
  );
  CREATE INDEX ban_changes_at ON ban_changes (at);
  -- The highest seq pruned from ban_changes: a reader whose cursor is below it missed rows.
  INSERT INTO meta (key, value) VALUES ('ban_changes_pruned', 0);
  -- 'bans list' pages through the bans in force in this order.
  CREATE INDEX bans_since ON bans (since, target);
  `,
  `
  -- Events keyed by an integer: (ts, key) unique, key = 52 bits of the MD5 of the event's id,
  -- in place of the id's text in a unique index of its own beside a second index on ts; the
  -- threat index holds only events with a threat. Per row, one B-tree fewer, and 8-byte keys.
  -- The id itself stays in the document. Rows keep their seq (cursors of the dashboard's live
  -- feed and of a fleet journal's shipping go by it).
  CREATE TABLE events_keyed (
    seq INTEGER PRIMARY KEY,
    ts INTEGER NOT NULL,
    key INTEGER NOT NULL,
    action TEXT NOT NULL,
    source_ip TEXT NOT NULL,
    threat_id TEXT,
    rule_id TEXT,
    doc TEXT NOT NULL
  );
  CREATE UNIQUE INDEX events_ts_key ON events_keyed (ts, key);
  INSERT OR IGNORE INTO events_keyed (seq, ts, key, action, source_ip, threat_id, rule_id, doc)
    SELECT seq, ts, bansho_event_key(id), action, source_ip, threat_id, rule_id, doc FROM events ORDER BY seq;
  DROP TABLE events;
  ALTER TABLE events_keyed RENAME TO events;
  CREATE INDEX events_source ON events (source_ip, ts);
  CREATE INDEX events_threat ON events (threat_id, ts) WHERE threat_id IS NOT NULL;
  `,
];
